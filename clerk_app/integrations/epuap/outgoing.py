"""Outgoing letters: the XML document that carries the PDF, and the idempotency key.

The letter travels as a CRD-shaped XML document (``Dokument`` with the PDF as a base64
``str:Zalacznik``) so the recipient's system reads it like any other ePUAP letter.

ePUAP has no documented idempotency for ``nadaj``/``dorecz``. The client puts a stable key
of the outbox row into ``DaneDodatkowe``; a server that understands it (the local simulator)
answers a repeated request with the first answer instead of sending again.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from lxml import etree

from clerk_app.integrations.epuap import namespaces as ns

TEMPLATE_NS = "http://crd.gov.pl/wzor/2017/10/24/4566/"
IDEMPOTENCY_ELEMENT = "IdentyfikatorNadania"


@dataclass(frozen=True)
class OutgoingLetter:
    number: str  # register entry number (the office's sign of the letter)
    title: str
    office_name: str
    addressee_name: str
    letter_date: date
    pdf_name: str
    pdf: bytes


def build_outgoing_letter(letter: OutgoingLetter) -> bytes:
    """The XML document sent through ePUAP; deterministic (same input, same bytes)."""
    data = base64.b64encode(letter.pdf).decode("ascii")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<wnio:Dokument xmlns:wnio="{TEMPLATE_NS}" xmlns:str="{ns.CRD_STRUKTURA}" \
xmlns:meta="{ns.CRD_META}" xmlns:inst="{ns.CRD_INSTYTUCJA}">
<wnio:OpisDokumentu><meta:Identyfikator typIdentyfikatora="idDokumentu">\
<meta:Wartosc>{escape(letter.number)}</meta:Wartosc></meta:Identyfikator></wnio:OpisDokumentu>
<wnio:DaneDokumentu>
<str:Naglowek><str:NazwaDokumentu>{escape(letter.title)}</str:NazwaDokumentu></str:Naglowek>
<meta:Data typDaty="stworzony"><meta:Czas>{letter.letter_date.isoformat()}</meta:Czas></meta:Data>
<str:Adresaci><meta:Podmiot><inst:Instytucja><inst:NazwaInstytucji>\
{escape(letter.addressee_name)}</inst:NazwaInstytucji></inst:Instytucja></meta:Podmiot>\
</str:Adresaci>
<str:Nadawcy><meta:Podmiot><inst:Instytucja><inst:NazwaInstytucji>\
{escape(letter.office_name)}</inst:NazwaInstytucji></inst:Instytucja></meta:Podmiot>\
</str:Nadawcy>
</wnio:DaneDokumentu>
<wnio:TrescDokumentu>
<wnio:Tytul>{escape(letter.title)}</wnio:Tytul>
<wnio:Tresc>Pismo {escape(letter.number)} w załączniku.</wnio:Tresc>
<str:Zalaczniki><str:Zalacznik format="application/pdf" kodowanie="base64" \
nazwaPliku="{escape(letter.pdf_name, {'"': "&quot;"})}"><str:DaneZalacznika>{data}\
</str:DaneZalacznika></str:Zalacznik></str:Zalaczniki>
</wnio:TrescDokumentu>
</wnio:Dokument>
"""
    return xml.encode("utf-8")


def idempotency_extra_data(key: str) -> bytes:
    """``DaneDodatkowe`` carrying the idempotency key of one outbox row."""
    root = etree.Element("DaneDodatkowe")
    etree.SubElement(root, IDEMPOTENCY_ELEMENT).text = key
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def idempotency_key(extra_data: bytes | None) -> str | None:
    """The key in ``DaneDodatkowe``, or None (no key, or not our XML)."""
    if not extra_data or b"<" + IDEMPOTENCY_ELEMENT.encode() not in extra_data:
        return None
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(extra_data, parser)
    except etree.XMLSyntaxError:
        return None
    value = root.findtext(IDEMPOTENCY_ELEMENT)
    return value.strip() if value and value.strip() else None
