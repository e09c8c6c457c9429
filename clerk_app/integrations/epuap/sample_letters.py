"""Synthetic CRD letters for the simulator's demo mode, tests and benchmarks.

Shaped like the "pismo ogólne do podmiotu publicznego" template: a person or an institution
as sender, title, place, date, body paragraphs and optional base64 attachments. Names carry
Polish diacritics on purpose so every round trip is checked for them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from clerk_app.integrations.epuap import namespaces as ns

TEMPLATE_NS = "http://crd.gov.pl/wzor/2013/12/12/1410/"

_FIRST = ("Zofia", "Łukasz", "Małgorzata", "Józef", "Agnieszka", "Grzegorz", "Żaneta", "Michał")
_LAST = ("Wiśniewska", "Żółkiewski", "Dąbrowska", "Gęślicki", "Łęcka", "Śliwiński", "Kołłątaj")
_TOWNS = ("Łódź", "Gdańsk", "Kraków", "Zielona Góra", "Bielsko-Biała", "Świnoujście")
_SUBJECTS = (
    "Wniosek o wydanie zaświadczenia o przeznaczeniu działki",
    "Skarga na opieszałość w sprawie drogi gminnej",
    "Wniosek o udostępnienie informacji publicznej",
    "Zgłoszenie zajęcia pasa drogowego",
    "Prośba o wypis i wyrys z miejscowego planu",
)


@dataclass(frozen=True)
class SampleAttachment:
    file_name: str
    content: bytes
    mime_type: str = "application/pdf"
    uri: str = ""  # set: a FileRepo reference (kodowanie="URI") instead of base64 content


def sample_sender(index: int) -> tuple[str, str]:
    return _FIRST[index % len(_FIRST)], _LAST[(index // len(_FIRST)) % len(_LAST)]


def sample_title(index: int) -> str:
    return f"{_SUBJECTS[index % len(_SUBJECTS)]} nr {index + 1}"


def padding_pdf(size: int) -> bytes:
    """A well-formed one-page PDF of about ``size`` bytes: binary filler in an image-like
    stream (a scan has no text layer), with a correct xref table and ``%%EOF``."""
    filler = bytes(range(256)) * (max(size - 600, 0) // 256 + 1)
    filler = filler[: max(size - 600, 0)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        b"<< /Length " + str(len(filler)).encode() + b" >>\nstream\n" + filler + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def crd_letter(
    index: int,
    *,
    title: str | None = None,
    first_name: str | None = None,
    surname: str | None = None,
    body: str | None = None,
    attachments: tuple[SampleAttachment, ...] = (),
    letter_date: date | None = None,
    pad_to: int = 0,
) -> bytes:
    """One CRD letter; ``pad_to`` adds a PDF-like attachment so the letter reaches that size."""
    first, last = sample_sender(index)
    first = first_name or first
    last = surname or last
    town = _TOWNS[index % len(_TOWNS)]
    when = (letter_date or date(2026, 3, 1 + index % 28)).isoformat()
    subject = title or sample_title(index)
    text = body or (
        f"Zwracam się z uprzejmą prośbą o rozpatrzenie sprawy nr {index + 1}. "
        "Zażółć gęślą jaźń — dziękuję za szybką odpowiedź."
    )
    parts = list(attachments)
    if pad_to:
        approx = 2500 + sum(len(a.content) * 4 // 3 for a in parts)
        if pad_to > approx:
            filler = padding_pdf((pad_to - approx) * 3 // 4)
            parts.append(SampleAttachment(f"skan_{index + 1}.pdf", filler))
    zal = "".join(
        f'<str:Zalacznik format="{escape(a.mime_type)}" '
        f'kodowanie="{"URI" if a.uri else "base64"}" '
        f'nazwaPliku="{escape(a.file_name)}"><str:DaneZalacznika>'
        f"{escape(a.uri) if a.uri else base64.b64encode(a.content).decode('ascii')}"
        "</str:DaneZalacznika></str:Zalacznik>"
        for a in parts
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<wnio:Dokument xmlns:wnio="{TEMPLATE_NS}" xmlns:str="{ns.CRD_STRUKTURA}" \
xmlns:meta="{ns.CRD_META}" xmlns:oso="{ns.CRD_OSOBA}" xmlns:adr="{ns.CRD_ADRES}" \
xmlns:inst="{ns.CRD_INSTYTUCJA}">
<wnio:OpisDokumentu><meta:Identyfikator typIdentyfikatora="idDokumentu">\
<meta:Wartosc>SIM-{index + 1:06d}</meta:Wartosc></meta:Identyfikator></wnio:OpisDokumentu>
<wnio:DaneDokumentu>
<str:Naglowek><str:NazwaDokumentu>Pismo ogólne do podmiotu publicznego</str:NazwaDokumentu>\
</str:Naglowek>
<meta:Data typDaty="stworzony"><meta:Czas>{when}</meta:Czas></meta:Data>
<str:Adresaci><meta:Podmiot><inst:Instytucja><inst:NazwaInstytucji>Urząd Gminy Testowo\
</inst:NazwaInstytucji></inst:Instytucja></meta:Podmiot></str:Adresaci>
<str:Nadawcy><meta:Podmiot><oso:Osoba><oso:Imie>{escape(first)}</oso:Imie>\
<oso:Nazwisko>{escape(last)}</oso:Nazwisko><adr:Adres><adr:KodPocztowy>90-{index % 1000:03d}\
</adr:KodPocztowy><adr:Miejscowosc>{escape(town)}</adr:Miejscowosc>\
<adr:Ulica>Źródlana</adr:Ulica><adr:Budynek>{index % 90 + 1}</adr:Budynek></adr:Adres>\
</oso:Osoba></meta:Podmiot></str:Nadawcy>
</wnio:DaneDokumentu>
<wnio:TrescDokumentu>
<wnio:MiejscowoscDokumentu>{escape(town)}</wnio:MiejscowoscDokumentu>
<wnio:Tytul>{escape(subject)}</wnio:Tytul>
<wnio:Tresc>{escape(text)}</wnio:Tresc>
<str:Zalaczniki>{zal}</str:Zalaczniki>
</wnio:TrescDokumentu>
</wnio:Dokument>
"""
    return xml.encode("utf-8")
