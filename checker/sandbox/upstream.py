"""moto behind the sandbox: its WSGI application, called in-process.

Requests the sandbox does not serve itself are handed to moto unchanged (method, raw target,
headers, body), in the WSGI environment werkzeug's development server would build for them, and
moto's answer is returned unchanged. Calling the application directly rather than through a
second HTTP server spares every forwarded request a TCP connection, a thread and two HTTP
parsers: about half of what the sandbox spent per request. The sandbox also asks moto, through
the ordinary API, what it needs to know: whether a function or qualifier exists, and which
account a set of credentials belongs to.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from checker.sandbox.wire import Caller, HttpRequest, HttpResponse

DEFAULT_ACCOUNT = "123456789012"
# What moto sees as its own address (the Host header the sandbox's own requests carry).
HOST, PORT = "127.0.0.1", 5000
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
    """moto's WSGI application (every service, state process-wide), called in-process."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        # moto's request log and tracebacks would flood test output; errors reach the client.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._app = DomainDispatcherApplication(create_backend_app)
        self.host, self.port = HOST, PORT
        self._accounts: dict[str, str] = {}
        self._accounts_lock = threading.Lock()

    def stop(self) -> None:
        """Nothing runs on its own: there is no server to stop (kept for the sandbox's order)."""

    def send(self, request: HttpRequest, *, timeout: float = 60.0) -> HttpResponse:
        """Hand a request to moto byte for byte and return its response byte for byte.

        `timeout` is kept for callers; an in-process call has no connection to time out.
        """
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
            answer["status"], answer["headers"] = int(status.split(" ", 1)[0]), headers

        result: Iterable[bytes] = self._app(_environ(request), start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = tuple(
            (name, value) for name, value in answer["headers"] if name.lower() not in _HOP_BY_HOP
        )
        return HttpResponse(answer["status"], headers, body)

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


def _latin1(text: str) -> str:
    """PEP 3333's "bytes as latin-1" for a str that came off the wire as UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _environ(request: HttpRequest) -> dict[str, Any]:
    """The WSGI environment werkzeug's development server (with moto's handler) builds for
    `request`: the raw target in ``RAW_URI``, headers as ``HTTP_*``, underscored header names
    only where moto keeps them."""
    from moto.core.request import (
        PRESERVED_HEADER_NAMES_ENVIRON_KEY,
        environ_key_for_header,
        should_preserve_original_header_name,
    )

    url = urlsplit(request.target)
    path = f"/{url.netloc}{url.path}" if not url.scheme and url.netloc else url.path
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": _latin1(unquote(path)),
        "QUERY_STRING": _latin1(url.query),
        "REQUEST_URI": _latin1(request.target),
        "RAW_URI": _latin1(request.target),
        "REMOTE_ADDR": HOST,
        "REMOTE_PORT": 0,
        "SERVER_NAME": HOST,
        "SERVER_PORT": str(PORT),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(request.body)),
    }
    underscored: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, raw in request.headers:
        value = raw.replace("\r\n", "")
        if "_" in name:  # werkzeug drops these; moto restores the ones it keeps
            if should_preserve_original_header_name(name):
                key = environ_key_for_header(name)
                names.setdefault(key, name)
                underscored.setdefault(key, []).append(value)
            continue
        if name.lower() in _HOP_BY_HOP:
            continue  # the body is whole: no length or transfer coding to honour
        key = name.upper().replace("-", "_")
        if key != "CONTENT_TYPE":
            key = f"HTTP_{key}"
            if key in environ:
                value = f"{environ[key]},{value}"
        environ[key] = value
    for key, values in underscored.items():
        environ.setdefault(key, ",".join(values))
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = names
    return environ
