"""The moto server behind the sandbox: started in-process, reached over real HTTP.

Requests the sandbox does not serve itself are forwarded unchanged (method, raw target, headers,
body) and moto's answer is returned unchanged. The sandbox also asks moto, through the ordinary
API, what it needs to know: whether a function or qualifier exists, and which account a set of
credentials belongs to.
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
from datetime import UTC, datetime
from urllib.parse import quote

from checker.sandbox.wire import Caller, HttpRequest, HttpResponse

DEFAULT_ACCOUNT = "123456789012"
ACCOUNT_HEADER = "x-moto-account-id"
# Hop-by-hop headers describe one connection, not the message; the sandbox sets its own.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "expect",
    }
)


class MotoUpstream:
    """One ThreadedMotoServer on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        # moto's request log and tracebacks would flood test output; errors reach the client.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.host, self.port = self._server.get_host_and_port()
        self._accounts: dict[str, str] = {}
        self._accounts_lock = threading.Lock()

    def stop(self) -> None:
        self._server.stop()

    def send(self, request: HttpRequest, *, timeout: float = 60.0) -> HttpResponse:
        """Forward a request byte for byte and return moto's response byte for byte."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(
                request.method, request.target, skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers:
                if name.lower() not in _HOP_BY_HOP:
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(request.body)))
            connection.putheader("Connection", "close")
            connection.endheaders(request.body)
            response = connection.getresponse()
            body = response.read()
            headers = tuple(
                (name, value)
                for name, value in response.getheaders()
                if name.lower() not in _HOP_BY_HOP
            )
            return HttpResponse(response.status, headers, body)
        finally:
            connection.close()

    def reset(self) -> None:
        """Wipe every moto backend (moto's own reset endpoint)."""
        self.send(HttpRequest("POST", "/moto-api/reset", (("Host", self.address),), b""))
        with self._accounts_lock:
            self._accounts.clear()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _signed_headers(
        self, caller: Caller, service: str, request: HttpRequest
    ) -> list[tuple[str, str]]:
        # moto reads the service and access key from the scope; it never checks the signature.
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        scope = f"{caller.access_key}/{stamp}/{caller.region}/{service}/aws4_request"
        headers = [
            ("Host", self.address),
            (
                "Authorization",
                f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
            ),
        ]
        account_header = request.header(ACCOUNT_HEADER)
        if account_header:
            headers.append((ACCOUNT_HEADER, account_header))
        return headers

    def account_of(self, caller: Caller | None, request: HttpRequest) -> str:
        """The account the request acts in, as moto's STS ``GetCallerIdentity`` says."""
        pinned = request.header(ACCOUNT_HEADER)
        if pinned:
            return pinned
        if caller is None:
            return DEFAULT_ACCOUNT
        with self._accounts_lock:
            known = self._accounts.get(caller.access_key)
        if known:
            return known
        headers = self._signed_headers(caller, "sts", request)
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        response = self.send(HttpRequest("POST", "/", tuple(headers), body))
        match = re.search(rb"<Account>(\d{12})</Account>", response.body)
        account = match.group(1).decode() if match else DEFAULT_ACCOUNT
        with self._accounts_lock:
            self._accounts[caller.access_key] = account
        return account

    def role_exists(self, caller: Caller, request: HttpRequest, account: str, name: str) -> bool:
        """Whether IAM ``GetRole`` finds role `name` in `account` (moto keeps IAM per account)."""
        headers = [
            h for h in self._signed_headers(caller, "iam", request) if h[0] != ACCOUNT_HEADER
        ]
        headers += [
            (ACCOUNT_HEADER, account),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ]
        body = f"Action=GetRole&Version=2010-05-08&RoleName={quote(name, safe='')}".encode()
        response = self.send(HttpRequest("POST", "/", tuple(headers), body))
        if response.status == 200:
            return True
        if b"NoSuchEntity" in response.body:
            return False
        raise RuntimeError(f"moto GetRole answered {response.status}: {response.body[:200]!r}")

    def function_exists(
        self, caller: Caller, request: HttpRequest, name: str, qualifier: str | None
    ) -> bool:
        """Whether Lambda ``GetFunction`` finds the function (at that qualifier) in moto."""
        target = f"/2015-03-31/functions/{quote(name, safe='')}"
        if qualifier:
            target += f"?Qualifier={quote(qualifier, safe='')}"
        headers = self._signed_headers(caller, "lambda", request)
        response = self.send(HttpRequest("GET", target, tuple(headers), b""))
        if response.status == 200:
            return True
        if response.status == 404:
            return False
        raise RuntimeError(f"moto GetFunction answered {response.status}: {response.body[:200]!r}")
