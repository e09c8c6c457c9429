"""Text of XML and PDF attachments, for the full-text search (``attachment.extracted_text``).

Extraction never blocks registration: a file that cannot be read yields ``""`` and a
log line. Input from outside is treated as hostile: XML goes through the hardened
parser of the ePUAP integration (no DTD, no entities, no network, size limit); PDF
reading is bounded in bytes, pages and characters.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import PurePath

from lxml import etree

from clerk_app.integrations.epuap.safe_xml import HostileXmlError, parse_untrusted_xml

log = logging.getLogger("clerk_app.text_extract")

#: Files larger than this are not read for text at all.
MAX_INPUT_BYTES = 30 * 1024 * 1024
#: At most this many characters of text are kept per attachment.
MAX_TEXT_CHARS = 100_000
#: PDF pages read per attachment.
MAX_PDF_PAGES = 300

XML_TYPES = frozenset({"application/xml", "text/xml"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
TEXT_TYPES = frozenset({"text/plain"})

_XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_XADES_PREFIX = "http://uri.etsi.org/"
# Text nodes that are base64 payloads (embedded attachments, certificates), not words.
_BASE64_RUN = re.compile(r"^[A-Za-z0-9+/=\s]{200,}$")
_WHITESPACE = re.compile(r"\s+")
_ATTACHMENT_DATA = "DaneZalacznika"


def extract_text(file_name: str, media_type: str, data: bytes) -> str:
    """Searchable text of an attachment, or ``""`` when it has none or cannot be read.

    The kind is taken from the media type, then the file extension, then the first
    bytes (``%PDF``, ``<``). The result is whitespace-normalised and at most
    :data:`MAX_TEXT_CHARS` characters long.
    """
    if not data or len(data) > MAX_INPUT_BYTES:
        if data:
            log.info("%s: %d bytes, too large to extract text", file_name, len(data))
        return ""
    kind = _kind(file_name, media_type, data)
    try:
        if kind == "xml":
            text = _xml_text(data, file_name)
        elif kind == "pdf":
            text = _pdf_text(data)
        elif kind == "text":
            text = _plain_text(data)
        else:
            return ""
    except HostileXmlError as exc:
        log.warning("%s: XML refused for text extraction: %s", file_name, exc)
        return ""
    except Exception:  # a broken attachment must never stop registration
        log.warning("%s: text extraction failed", file_name, exc_info=True)
        return ""
    return normalise_text(text)


def _kind(file_name: str, media_type: str, data: bytes) -> str:
    media = (media_type or "").split(";", 1)[0].strip().lower()
    suffix = PurePath(file_name or "").suffix.lower()
    if media in PDF_TYPES or suffix == ".pdf":
        return "pdf"
    if media in XML_TYPES or media.endswith("+xml") or suffix in (".xml", ".xades"):
        return "xml"
    if media in TEXT_TYPES or suffix == ".txt":
        return "text"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "xml"
    return ""


def normalise_text(text: str) -> str:
    """``text`` as :func:`extract_text` returns it: whitespace collapsed, length capped."""
    return _WHITESPACE.sub(" ", text).strip()[:MAX_TEXT_CHARS]


def _xml_text(data: bytes, file_name: str) -> str:
    root = parse_untrusted_xml(data, max_bytes=MAX_INPUT_BYTES, what=f"załącznik {file_name}")
    return xml_tree_text(root)


def xml_tree_text(root: etree._Element) -> str:
    """The words of an already parsed XML document, as :func:`extract_text` finds them in its
    bytes (before :func:`normalise_text`): parsers of XML we read anyway (ePUAP letters) give
    the search index its text without a second parse."""
    parts: list[str] = []
    size = 0
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions
        namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        if namespace == _XMLDSIG_NS or namespace.startswith(_XADES_PREFIX):
            continue  # signatures: digests and certificates, no words
        # CRD attachment content is base64 (registered as a file of its own): skip it without
        # copying or scanning it.
        skip_text = tag.rsplit("}", 1)[-1] == _ATTACHMENT_DATA
        for value in (None if skip_text else element.text, element.tail):
            if value and value.strip() and not _BASE64_RUN.match(value):
                parts.append(value.strip())
                size += len(value)
        if size > MAX_TEXT_CHARS:
            break
    return " ".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    parts: list[str] = []
    size = 0
    # pypdf warns about every small defect of real-world PDFs; they are not our errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        for index, page in enumerate(reader.pages):
            if index >= MAX_PDF_PAGES or size > MAX_TEXT_CHARS:
                break
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
    return " ".join(parts)


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Polish Windows software writes windows-1250.
        return data.decode("cp1250", errors="replace")
