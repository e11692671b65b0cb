"""The one sanitiser for text that came from AWS (or a file) and is shown to a person.

Names in an account are data, not markup: a flow called ``Main<ESC>[2K<CR>warmcheck: PASS`` must
not rewrite the verdict line on a terminal, and a lone UTF-16 surrogate (legal in JSON text) must
not make a report unencodable. Every character that is invisible, moves the cursor, reorders text
or cannot be encoded is replaced by a visible escape (``\\x1b``, ``\\u202e``, ``\\ud800``).

- `shown`: one line of text (messages, names): every such character escaped, newlines included,
  optionally cut to a length.
- `shown_document`: a whole rendered text document (Markdown, HTML, terminal output): the same,
  but the document's own newlines and tabs stay.
- `json_document`: JSON text from ``json.dumps(..., ensure_ascii=False)``: lone surrogates become
  ``\\udXXX`` escapes, which JSON allows and decodes back to the same string.
- `xml_text`: a string for an XML attribute or text node: what XML 1.0 cannot carry at all is
  escaped visibly (an XML writer would otherwise emit a reference no parser accepts).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["json_document", "shown", "shown_document", "xml_text"]

# C0 and C1 controls, DEL, bidirectional and zero-width formatting, line/paragraph separators,
# the byte-order mark, interlinear annotations, and every surrogate (in a Python str from decoded
# JSON a surrogate is always lone: a valid pair decodes to one code point).
_UNSAFE_CLASS: Final = (
    "\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff"
)
_UNSAFE: Final = re.compile(f"[{_UNSAFE_CLASS}]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ELLIPSIS: Final = "…"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, *, limit: int | None = None) -> str:
    """One line for a person: unsafe characters escaped; cut to `limit` characters if given."""
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + _ELLIPSIS
    return _UNSAFE.sub(_escape, text)


def shown_document(text: str) -> str:
    """A whole document for a person: unsafe characters escaped, but newlines and tabs kept."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m), text)


def json_document(text: str) -> str:
    """JSON text with every lone surrogate written as a \\u escape, so it encodes as UTF-8."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids are written as visible escapes."""
    return _NOT_XML.sub(_escape, text)
