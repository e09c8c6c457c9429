"""The one hardened entry point for parsing XML that comes from outside (ePUAP, letters, receipts).

Every byte string from the network or from a sender goes through :func:`parse_untrusted_xml`:
no DTD, no DOCTYPE at all, no entity expansion, no network access, a size limit, and tolerant
handling of the encoding quirks seen in real ePUAP traffic (UTF-8 BOM, wrong declarations).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

log = logging.getLogger(__name__)

#: Default ceiling for one XML document (letters, receipts, small SOAP answers).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: libxml2's limit on one text node without ``huge_tree`` (XML_MAX_TEXT_LENGTH).
TEXT_NODE_LIMIT = 10_000_000

_DECLARATION = re.compile(rb"^\s*<\?xml\b[^>]*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DOCTYPE_OR_ENTITY = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_UTF8_NAMES = {"utf-8", "utf8"}


class HostileXmlError(ValueError):
    """XML from outside that is refused: DOCTYPE/entities, too large, broken or undecodable."""


@dataclass(frozen=True)
class DecodedXml:
    """XML bytes re-encoded as UTF-8 without a declaration, and what was found on the way."""

    utf8: bytes
    source_encoding: str
    note: str | None = None


def _hardened_parser(*, large_text_nodes: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=large_text_nodes,
        remove_blank_text=False,
    )


def _codec_name(label: str) -> str | None:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_untrusted_xml(data: bytes, *, what: str = "dokument XML") -> DecodedXml:
    """Work out the real encoding of ``data`` and return it as UTF-8 without an XML declaration.

    Order of evidence: a byte-order mark wins over the declaration; bytes that are valid UTF-8
    are taken as UTF-8 even when the declaration says ``windows-1250`` (a common sender bug:
    a Polish letter that is not ASCII and still valid UTF-8 is never accidental); otherwise the
    declared encoding is used. Nothing is guessed beyond that: undecodable bytes are refused.
    """
    note: str | None = None
    declared: str | None = None
    body = data
    bom_encoding: str | None = None
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            bom_encoding = name
            body = body[len(bom) :]
            break

    if bom_encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = body.decode(bom_encoding)
        except UnicodeDecodeError as exc:
            raise HostileXmlError(f"{what}: nieprawidłowe kodowanie UTF-16 ({exc.reason})") from exc
        body = text.encode("utf-8")
        bom_encoding = "utf-8-from-utf-16"

    match = _DECLARATION.match(body)
    if match:
        enc = _DECLARED_ENCODING.search(match.group(0))
        if enc:
            declared = enc.group(1).decode("ascii").lower()
        body = body[match.end() :]

    if bom_encoding is not None:
        source = "utf-8" if bom_encoding == "utf-8" else "utf-16"
        if declared and _codec_name(declared) not in ("utf-8", "utf-16", None):
            note = f"deklaracja kodowania {declared} pominięta: plik ma znacznik BOM {source}"
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HostileXmlError(f"{what}: znacznik BOM UTF-8, ale treść nie jest UTF-8") from exc
        return DecodedXml(body, source, note)

    try:
        body.decode("utf-8")
        utf8_ok = True
    except UnicodeDecodeError:
        utf8_ok = False

    declared_codec = _codec_name(declared) if declared else "utf-8"
    if declared and declared_codec is None:
        if utf8_ok:
            return DecodedXml(body, "utf-8", f"nieznane kodowanie {declared}; przyjęto UTF-8")
        raise HostileXmlError(f"{what}: nieznane kodowanie znaków „{declared}”")

    if utf8_ok:
        if declared_codec not in ("utf-8", None) and not body.isascii():
            note = f"deklaracja kodowania {declared} nie zgadza się z treścią; przyjęto UTF-8"
        return DecodedXml(body, "utf-8", note)

    if declared_codec == "utf-8":
        raise HostileXmlError(
            f"{what}: treść nie jest poprawnym UTF-8, choć tak deklaruje (uszkodzony plik "
            "albo błędna deklaracja kodowania)"
        )
    assert declared_codec is not None
    try:
        text = body.decode(declared_codec)
    except UnicodeDecodeError as exc:
        raise HostileXmlError(f"{what}: treść nie pasuje do kodowania {declared}") from exc
    return DecodedXml(text.encode("utf-8"), declared_codec, None)


_SCAN_CHUNK = 1 << 20


def _plain_utf8(head: bytes) -> bool:
    """True when the bytes can go to libxml2 as they are: no BOM but UTF-8's, and a
    declaration (if any) that says UTF-8. Anything else takes the re-encoding path."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    match = _DECLARATION.match(head.removeprefix(codecs.BOM_UTF8))
    if not match:
        return True
    enc = _DECLARED_ENCODING.search(match.group(0))
    return enc is None or _codec_name(enc.group(1).decode("ascii")) == "utf-8"


def _scan_utf8(chunks: object, what: str) -> None:
    """Valid UTF-8 and no DOCTYPE/ENTITY, checked slice by slice (no copy of the whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    for chunk in chunks:  # type: ignore[attr-defined]
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise HostileXmlError(
                f"{what}: treść nie jest poprawnym UTF-8, choć tak deklaruje (uszkodzony plik "
                "albo błędna deklaracja kodowania)"
            ) from exc
        if _DOCTYPE_OR_ENTITY.search(tail + bytes(chunk[:64])) or (
            # "<!" needs a "!": one memchr pass instead of the regex over base64 content.
            b"!" in chunk and _DOCTYPE_OR_ENTITY.search(chunk)
        ):
            raise HostileXmlError(
                f"{what}: zawiera deklarację DOCTYPE lub ENTITY — takie dokumenty są odrzucane "
                "ze względów bezpieczeństwa"
            )
        tail = bytes(chunk[-64:])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise HostileXmlError(f"{what}: treść urwana w środku znaku UTF-8") from exc


def _file_chunks(path: Path) -> object:
    with path.open("rb") as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            yield chunk


def _memory_chunks(data: bytes) -> object:
    # bytes slices, not memoryview ones: ``b"!" in view`` compares ints and is always False.
    # One slice at a time is copied (none when data fits in one: a full slice is data).
    for start in range(0, len(data), _SCAN_CHUNK):
        yield data[start : start + _SCAN_CHUNK]


def parse_untrusted_xml(
    data: bytes | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    large_text_nodes: bool = False,
    large_text_only_in: str | None = None,
    what: str = "dokument XML",
) -> etree._Element:
    """Parse XML from outside safely and return its root element.

    ``large_text_nodes`` lifts libxml2's 10 MB limit on one text node; it is meant only for
    SOAP answers that carry big base64 attachments, and ``max_bytes`` still bounds the whole
    document. ``large_text_only_in`` (a local element name, e.g. ``DaneZalacznika``) lifts it
    too, but a text node over the limit anywhere else is still refused. ``data`` may be a
    spooled file (big answers). Plain UTF-8 goes to libxml2 as it
    is, without copies; other encodings are re-encoded first. Raises :class:`HostileXmlError`
    with a Polish message naming what is wrong.
    """
    if isinstance(data, Path):
        size = data.stat().st_size
        with data.open("rb") as stream:
            head = stream.read(4096)
    elif isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        size, head = len(data), data[:4096]
    else:
        raise TypeError("parse_untrusted_xml expects bytes or a file path")
    if size > max_bytes:
        raise HostileXmlError(f"{what}: za duży ({size} bajtów, dopuszczalne {max_bytes} bajtów)")
    if not head.strip() and size <= len(head):
        raise HostileXmlError(f"{what}: pusta treść zamiast XML")

    # A text node over the limit needs a document over it: small documents keep the default.
    confined = large_text_only_in is not None and not large_text_nodes and size > TEXT_NODE_LIMIT
    parser = _hardened_parser(large_text_nodes=large_text_nodes or confined)
    source: bytes | Path
    if _plain_utf8(head):
        _scan_utf8(_file_chunks(data) if isinstance(data, Path) else _memory_chunks(data), what)
        source = data
    else:
        raw = data.read_bytes() if isinstance(data, Path) else data
        decoded = decode_untrusted_xml(raw, what=what)
        if decoded.note:
            log.info("%s: %s", what, decoded.note)
        if _DOCTYPE_OR_ENTITY.search(decoded.utf8):
            raise HostileXmlError(
                f"{what}: zawiera deklarację DOCTYPE lub ENTITY — takie dokumenty są odrzucane "
                "ze względów bezpieczeństwa"
            )
        source = decoded.utf8
    try:
        if isinstance(source, Path):
            root = etree.parse(str(source), parser=parser).getroot()
        else:
            root = etree.fromstring(source, parser=parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "huge" in message.lower() or "too long" in message.lower():
            raise HostileXmlError(
                f"{what}: węzeł tekstowy przekracza dopuszczalny rozmiar ({message})"
            ) from exc
        raise HostileXmlError(f"{what}: uszkodzony lub niekompletny XML ({message})") from exc
    if root is None:
        raise HostileXmlError(f"{what}: brak elementu głównego")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Unreachable after the byte scan above; kept so a parser change cannot let one slip.
        raise HostileXmlError(f"{what}: zawiera deklarację DOCTYPE")
    if confined:
        _refuse_large_text_outside(root, large_text_only_in or "", what)
    return root


def _refuse_large_text_outside(root: etree._Element, allowed: str, what: str) -> None:
    """huge_tree was needed for ``allowed``'s content only: any other text node over the
    default limit is refused. Checked in libxml2 (XPath) so no Python copy of big text."""
    # The parent's name, not the node (a smart string would copy the big text into Python).
    name = root.xpath(
        "local-name((//text()[string-length(.) > $limit]"
        "[not(parent::*[local-name() = $allowed])])[1]/parent::*)",
        limit=TEXT_NODE_LIMIT,
        allowed=allowed,
    )
    if name:
        raise HostileXmlError(
            f"{what}: węzeł tekstowy w elemencie {name} przekracza dopuszczalny rozmiar "
            f"({TEXT_NODE_LIMIT} znaków; większe dopuszczalne tylko w {allowed})"
        )


def stylesheet_hrefs(root: etree._Element) -> list[str]:
    """Addresses of ``xml-stylesheet`` instructions before the root (never fetched, only shown)."""
    hrefs: list[str] = []
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            href = node.get("href")
            if href:
                hrefs.append(href)
        node = node.getprevious()
    hrefs.reverse()
    return hrefs
