"""ADF documents found in an e-mail (issue 15, item 1: ADF by e-mail).

`read_email(message_bytes)` parses a message with the standard library's `email`
package and finds every ADF document in it, wherever real senders put it: the whole
body, an attachment (`.xml`, `.adf`, `application/xml`, `text/xml`,
`application/x-adf+xml`), embedded in an HTML body (escaped or not, in `<pre>` or as
text) or in a plain-text body among other text. Of a `multipart/alternative`, only the
first alternative that holds ADF is read (the plain and HTML versions of one lead are
one lead), and a document found twice in a message counts once.

Each document gets an idempotency key from the Message-ID (`email:<id>`, plus `#n` when
the message holds several), so a message read twice — a second poll after a crash
between the commit and the move, or an MTA retrying a pipe — never makes a second lead.
A message without a Message-ID is keyed by the SHA-256 of its bytes.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

MAX_EMAIL_BYTES = 25_000_000
MAX_KEY_CHARS = 180  # the intake's idempotency keys hold 200 characters, with "#n"
XML_TYPES = ("application/xml", "text/xml", "application/x-adf+xml", "application/adf+xml")
XML_SUFFIXES = (".xml", ".adf")

_ADF_TEXT = re.compile(r"<adf[\s>].*?</adf\s*>", re.IGNORECASE | re.DOTALL)
_ADF_BYTES = re.compile(rb"<adf[\s>/]", re.IGNORECASE)
_ESCAPED_ADF = re.compile(r"&lt;adf[\s&]", re.IGNORECASE)
_LINE_BREAK_TAGS = re.compile(r"<(?:br|/p|/div|/pre|/tr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(rb"\s+")


@dataclass(frozen=True)
class AdfDocument:
    """One ADF document of a message: its bytes, where it was found, its idempotency key."""

    data: bytes
    description: str
    idempotency_key: str


@dataclass(frozen=True)
class IncomingEmail:
    """A message as intake sees it."""

    message_id: str | None
    message_key: str  # `email:<Message-ID>`, or `email-sha256:<digest of the bytes>`
    subject: str
    sender: str
    documents: tuple[AdfDocument, ...]


def read_email(message_bytes: bytes, headers_only: bool = False) -> IncomingEmail:
    """The message's Message-ID, subject, sender and ADF documents (keyed for idempotency);
    `headers_only`: no documents (a message too large to be read)."""
    message = parse_message(message_bytes, headers_only)
    message_id = _header(message, "message-id")
    found = [] if headers_only else find_adf_in(message)
    base = message_key(message_id, message_bytes)
    documents = tuple(
        AdfDocument(data, description, base if len(found) == 1 else f"{base}#{index + 1}")
        for index, (data, description) in enumerate(found)
    )
    return IncomingEmail(
        message_id=message_id,
        message_key=base,
        subject=_header(message, "subject") or "",
        sender=_header(message, "from") or "",
        documents=documents,
    )


def message_key(message_id: str | None, message_bytes: bytes) -> str:
    """`email:<Message-ID>`; the SHA-256 of the Message-ID when it is longer than an
    idempotency key may be, or of the whole message when it has none."""
    if message_id and len(message_id) <= MAX_KEY_CHARS:
        return f"email:{message_id}"
    if message_id:
        return "email-id-sha256:" + _digest(message_id.encode("utf-8", "replace"))
    return "email-sha256:" + _digest(message_bytes)


def find_adf(message_bytes: bytes) -> list[tuple[bytes, str]]:
    """Every ADF document of a message, as (bytes, where it was found)."""
    return find_adf_in(parse_message(message_bytes))


def parse_message(message_bytes: bytes, headers_only: bool = False) -> EmailMessage:
    """The message parsed with the standard (modern) policy."""
    return BytesParser(policy=policy.default).parsebytes(message_bytes, headersonly=headers_only)


def find_adf_in(message: EmailMessage) -> list[tuple[bytes, str]]:
    """Every distinct ADF document of a parsed message, in order."""
    unique: dict[bytes, tuple[bytes, str]] = {}
    for data, description in _collect(message):
        unique.setdefault(_SPACES.sub(b"", data), (data, description))
    return list(unique.values())


def _collect(part: EmailMessage) -> list[tuple[bytes, str]]:
    if part.get_content_maintype() == "multipart":
        children = list(part.iter_parts())
        if part.get_content_subtype() == "alternative":
            for child in children:
                if found := _collect(child):
                    return found
            return []
        return [found for child in children for found in _collect(child)]
    if part.get_content_type() == "message/rfc822":
        return [found for inner in part.iter_parts() for found in _collect(inner)]
    return _from_leaf(part)


def _from_leaf(part: EmailMessage) -> list[tuple[bytes, str]]:
    """The ADF documents of one non-multipart part."""
    content_type = part.get_content_type()
    filename = part.get_filename() or ""
    if content_type in XML_TYPES or filename.lower().endswith(XML_SUFFIXES):
        raw = part.get_payload(decode=True) or b""
        where = f"attachment {filename}" if filename else f"{content_type} body"
        return [(raw, where)] if _ADF_BYTES.search(raw) else []
    if content_type == "text/plain":
        return [(doc, "plain-text body") for doc in _documents_in(_text_of(part))]
    if content_type == "text/html":
        return [(doc, "HTML body") for doc in _documents_in(_html_to_text(_text_of(part)))]
    return []


def _text_of(part: EmailMessage) -> str:
    """A text part decoded with its charset (undecodable bytes replaced, never an error)."""
    raw = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return raw.decode("utf-8", errors="replace")


def _documents_in(text: str) -> list[bytes]:
    """The `<adf>…</adf>` documents in a text (UTF-8; the declaration is not needed)."""
    return [match.group(0).encode("utf-8") for match in _ADF_TEXT.finditer(text)]


def _html_to_text(markup: str) -> str:
    """An HTML body as the text a reader sees when the ADF is escaped in it (`&lt;adf&gt;`
    in a `<pre>` or in paragraphs); the markup itself when the ADF is written unescaped."""
    if not _ESCAPED_ADF.search(markup):
        return markup
    with_breaks = _LINE_BREAK_TAGS.sub("\n", markup)
    return html.unescape(_TAG.sub("", with_breaks))


def _header(message: EmailMessage, name: str) -> str | None:
    """A header's value as text, or None (a malformed header never raises)."""
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):
        return None
    return str(value).strip() or None if value is not None else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
