"""Understanding documents that arrive through ePUAP: CRD letters and UPP/UPD receipts.

CRD letters use a namespace per template (``http://crd.gov.pl/wzor/YYYY/MM/DD/NNNN/``) around
common building blocks (struktura/meta/adres/instytucja/osoba, dated 2009). Elements are found
by local name so templates of any date parse the same way. Everything is read through
:func:`~clerk_app.integrations.epuap.safe_xml.parse_untrusted_xml`; the CRD stylesheet is never
fetched. A bad attachment (invalid base64, odd URI) is reported on that attachment only.

Signatures: XAdES signer name from the embedded certificate, trusted-profile (Profil Zaufany)
person from ``ppZP:PodpisZP``, and an XML-DSig check (signxml) of the signature value and all
its references against the certificate embedded in the signature. That proves the document was
not changed since signing by the holder of that certificate; it does NOT validate the
certificate chain to a Polish trust list, nor XAdES-specific rules (signing-certificate digest,
policies, timestamps). :class:`SignatureCheck` says which of these outcomes applies.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from clerk_app.integrations.epuap import namespaces as ns
from clerk_app.integrations.epuap import payload
from clerk_app.integrations.epuap.payload import MAX_DOCUMENT_BYTES, Payload
from clerk_app.integrations.epuap.safe_names import safe_attachment_name, unique_name
from clerk_app.integrations.epuap.safe_xml import parse_untrusted_xml, stylesheet_hrefs
from clerk_app.services.text_extract import normalise_text, xml_tree_text

log = logging.getLogger(__name__)

_DS_SIGNATURE = f"{{{ns.DS}}}Signature"

# Large text (scans of 50 MB and more arrive as one base64 text node) is allowed only here.
_ATTACHMENT_DATA = "DaneZalacznika"


class DocumentFormatError(ValueError):
    """The XML is safe but is neither a CRD letter nor a UPP/UPD receipt we can read."""


class SignatureCheck(StrEnum):
    VERIFIED = "verified"  # signature value and all references match the embedded certificate
    INVALID = "invalid"  # the document or signature was changed after signing
    NOT_VERIFIED = "not_verified"  # could not be checked (no certificate, unsupported, expired)


@dataclass(frozen=True)
class PostalAddress:
    postal_code: str | None = None
    town: str | None = None
    street: str | None = None
    building: str | None = None
    flat: str | None = None
    post_office: str | None = None
    country: str | None = None

    def one_line(self) -> str:
        number = self.building or ""
        if self.flat:
            number = f"{number}/{self.flat}" if number else self.flat
        street = " ".join(p for p in (self.street, number) if p)
        town = " ".join(p for p in (self.postal_code, self.town or self.post_office) if p)
        return ", ".join(p for p in (street, town, self.country) if p)


@dataclass(frozen=True)
class Party:
    """A sender or addressee: a person (``oso:Osoba``) or an institution."""

    kind: Literal["person", "institution"]
    name: str
    first_name: str | None = None
    surname: str | None = None
    pesel: str | None = None
    institution_name: str | None = None
    address: PostalAddress | None = None


@dataclass(frozen=True)
class LetterAttachment:
    """``str:Zalacznik``: inline base64 content, or a URI reference to download later."""

    original_name: str
    file_name: str
    mime_type: str | None
    encoding: str
    # Large decoded content is a spool file: whoever parsed the letter removes it
    # (:func:`discard_attachments`).
    content: Payload | None = field(default=None, repr=False)
    uri: str | None = None
    error: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.uri is not None

    @property
    def file_id(self) -> str | None:
        """The FileRepo ``fileId`` of a download URL, if there is one."""
        if not self.uri:
            return None
        values = parse_qs(urlsplit(self.uri).query).get("fileId")
        return values[0] if values else None


@dataclass(frozen=True)
class SignatureInfo:
    signer_name: str | None
    certificate_subject: str | None
    trusted_profile_name: str | None
    trusted_profile_pesel: str | None
    trusted_profile_account: str | None
    signing_time: str | None
    check: SignatureCheck
    check_detail: str

    @property
    def is_trusted_profile(self) -> bool:
        return self.trusted_profile_name is not None


@dataclass(frozen=True)
class Letter:
    template_namespace: str
    document_name: str | None
    title: str | None
    place: str | None
    date: date | None
    dates: tuple[tuple[str, str], ...]
    senders: tuple[Party, ...]
    addressees: tuple[Party, ...]
    paragraphs: tuple[str, ...]
    attachments: tuple[LetterAttachment, ...]
    signatures: tuple[SignatureInfo, ...]
    stylesheets: tuple[str, ...] = ()
    #: Searchable words of the whole XML document, exactly what ``text_extract.extract_text``
    #: gives for its bytes (signatures and attachment data left out): the inbox passes it
    #: on as the letter's ``AttachmentInput.text`` instead of parsing the XML again.
    plain_text: str = field(default="", repr=False, compare=False)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(a.error for a in self.attachments if a.error)


@dataclass(frozen=True)
class Receipt:
    """UPP (poświadczenie przedłożenia) or UPD (poświadczenie doręczenia/odbioru)."""

    kind: Literal["UPP", "UPD"]
    receipt_id: str | None
    certified_document_id: str | None
    case_id: str | None
    event_time: str | None
    created_time: str | None
    addressee_name: str | None
    sender_name: str | None
    signatures: tuple[SignatureInfo, ...]
    #: As :attr:`Letter.plain_text`.
    plain_text: str = field(default="", repr=False, compare=False)


# ---------------------------------------------------------------------------- helpers


# Elements are looked up by local name in any namespace ("{*}name"): lxml filters in C,
# so no Python code runs for the elements that do not match (e.g. the attachment data).


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def _elements(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str):
            yield child


def _first(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next(element.iterchildren(f"{{*}}{name}"), None)


def _descendant(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next(element.iterdescendants(f"{{*}}{name}"), None)


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def _outside_signatures(root: etree._Element, name: str) -> Iterator[etree._Element]:
    """Descendants named ``name`` that are not inside a ds:Signature (its Object can hold XML)."""
    for element in root.iter(f"{{*}}{name}"):
        if next(element.iterancestors(_DS_SIGNATURE), None) is None:
            yield element


def _address(element: etree._Element | None) -> PostalAddress | None:
    address = _first(element, "Adres") if element is not None else None
    if address is None:
        return None
    return PostalAddress(
        postal_code=_text(_first(address, "KodPocztowy")),
        town=_text(_first(address, "Miejscowosc")),
        street=_text(_first(address, "Ulica")),
        building=_text(_first(address, "Budynek")),
        flat=_text(_first(address, "Lokal")),
        post_office=_text(_first(address, "Poczta")),
        country=_text(_first(address, "Kraj")),
    )


_PARTY_TAGS = ("{*}Osoba", "{*}Instytucja")


def _parties(container: etree._Element | None) -> tuple[Party, ...]:
    if container is None:
        return ()
    parties: list[Party] = []
    for element in container.iter(*_PARTY_TAGS):
        kind = _local(element)
        if next(element.iterancestors(*_PARTY_TAGS), None) is not None:
            continue  # an institution's employee, not a party of its own
        if kind == "Osoba":
            first = _text(_first(element, "Imie"))
            surname = _text(_first(element, "Nazwisko"))
            parties.append(
                Party(
                    kind="person",
                    name=" ".join(p for p in (first, surname) if p) or "(bez nazwiska)",
                    first_name=first,
                    surname=surname,
                    pesel=_text(_descendant(element, "PESEL")),
                    address=_address(element),
                )
            )
        else:
            name = _text(_first(element, "NazwaInstytucji"))
            parties.append(
                Party(
                    kind="institution",
                    name=name or "(bez nazwy)",
                    institution_name=name,
                    address=_address(element),
                )
            )
    return tuple(parties)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _parse_date(value: str | None) -> date | None:
    match = _ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_ALLOWED_URI_SCHEMES = ("https", "http")


def _attachments(root: etree._Element) -> tuple[LetterAttachment, ...]:
    result: list[LetterAttachment] = []
    taken: set[str] = set()
    for index, element in enumerate(_outside_signatures(root, "Zalacznik"), start=1):
        original = element.get("nazwaPliku") or ""
        mime = element.get("format") or None
        encoding = (element.get("kodowanie") or "").strip()
        safe = unique_name(
            safe_attachment_name(original, mime, fallback=f"zalacznik_{index}"), taken
        )
        taken.add(safe)
        data_el = _first(element, _ATTACHMENT_DATA)
        label = original or safe
        if encoding.lower() == "base64":
            text = (data_el.text or "") if data_el is not None else ""
            if data_el is not None and len(text) > payload.SPOOL_ABOVE:
                # Signatures are checked already: drop the tree's copy so the big text
                # exists once while it is decoded, slice by slice, into a spool file.
                data_el.text = None
            try:
                content = payload.decode_base64_text(text)
            except (binascii.Error, ValueError):
                result.append(
                    LetterAttachment(
                        original,
                        safe,
                        mime,
                        "base64",
                        error=f"Załącznik „{label}”: nieprawidłowe kodowanie base64 — "
                        "treści nie można odczytać",
                    )
                )
                continue
            result.append(LetterAttachment(original, safe, mime, "base64", content=content))
        elif encoding.upper() == "URI":
            uri = (data_el.text or "").strip() if data_el is not None else ""
            scheme = urlsplit(uri).scheme.lower()
            if scheme not in _ALLOWED_URI_SCHEMES:
                result.append(
                    LetterAttachment(
                        original,
                        safe,
                        mime,
                        "URI",
                        error=f"Załącznik „{label}”: niedozwolony adres do pobrania ({uri[:80]!r})",
                    )
                )
                continue
            result.append(LetterAttachment(original, safe, mime, "URI", uri=uri))
        else:
            result.append(
                LetterAttachment(
                    original,
                    safe,
                    mime,
                    encoding,
                    error=f"Załącznik „{label}”: nieobsługiwane kodowanie {encoding!r}",
                )
            )
    return tuple(result)


def _paragraphs(content: etree._Element | None) -> tuple[str, ...]:
    if content is None:
        return ()
    for name in ("Informacja", "Tresc"):
        found = [t for e in content.iter(f"{{*}}{name}") if (t := _text(e))]
        if found:
            return tuple(found)
    skipped = {"MiejscowoscDokumentu", "Tytul", "Zalaczniki"}
    paragraphs: list[str] = []
    for element in _elements(content):
        if _local(element) in skipped:
            continue
        text = _text(element)
        if text:
            paragraphs.append(text)
    return tuple(paragraphs)


# ---------------------------------------------------------------------------- signatures


def _subject_name(certificate: x509.Certificate) -> str | None:
    subject = certificate.subject

    def attr(oid: x509.ObjectIdentifier) -> str | None:
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    given, surname = attr(NameOID.GIVEN_NAME), attr(NameOID.SURNAME)
    if given or surname:
        return " ".join(p for p in (given, surname) if p)
    return attr(NameOID.COMMON_NAME) or attr(NameOID.ORGANIZATION_NAME)


def _embedded_certificate(signature: etree._Element) -> x509.Certificate | None:
    cert_el = next(signature.iter("{*}X509Certificate"), None)
    if cert_el is None or not (cert_el.text or "").strip():
        return None
    try:
        der = base64.b64decode("".join((cert_el.text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def _check_signature(
    document_root: etree._Element, signature: etree._Element, certificate: x509.Certificate | None
) -> tuple[SignatureCheck, str]:
    if certificate is None:
        return SignatureCheck.NOT_VERIFIED, "brak certyfikatu w podpisie — nie sprawdzono"
    config = SignatureConfiguration(
        location=".//",
        expect_references=True,
        require_x509=True,
    )
    try:
        # signxml checks the signature value and every reference (document + SignedProperties).
        XMLVerifier().verify(
            etree.tostring(document_root), x509_cert=certificate, expect_config=config
        )
    except InvalidDigest:
        return SignatureCheck.INVALID, "dokument zmieniono po podpisaniu"
    except InvalidSignature as exc:
        return SignatureCheck.INVALID, f"wartość podpisu nie zgadza się ({exc})"
    except InvalidCertificate as exc:
        return (
            SignatureCheck.NOT_VERIFIED,
            f"certyfikat podpisu nieważny w dniu dzisiejszym ({exc})",
        )
    except (InvalidInput, ValueError) as exc:
        return SignatureCheck.NOT_VERIFIED, f"nie można sprawdzić podpisu ({exc})"
    return (
        SignatureCheck.VERIFIED,
        "podpis zgodny z treścią i z certyfikatem zawartym w podpisie "
        "(ścieżki zaufania certyfikatu nie sprawdzano)",
    )


def _signatures(document_root: etree._Element) -> tuple[SignatureInfo, ...]:
    signatures = list(document_root.iter(_DS_SIGNATURE))
    detail_multi = "kilka podpisów w dokumencie — sprawdzenie kryptograficzne pominięte"
    infos: list[SignatureInfo] = []
    for signature in signatures:
        certificate = _embedded_certificate(signature)
        profile = _descendant(signature, "PodpisZP")
        person = _descendant(profile, "DaneZPOsobyFizycznej") if profile is not None else None
        profile_name: str | None = None
        profile_pesel: str | None = None
        if person is not None:
            profile_name = (
                " ".join(
                    p
                    for p in (_text(_first(person, "Imie")), _text(_first(person, "Nazwisko")))
                    if p
                )
                or None
            )
            profile_pesel = _text(_descendant(person, "PESEL"))
        account = (
            _text(_descendant(profile, "IdKontaUzytkownikaEpuap")) if profile is not None else None
        )
        if len(signatures) > 1:
            check, detail = SignatureCheck.NOT_VERIFIED, detail_multi
        else:
            check, detail = _check_signature(document_root, signature, certificate)
        infos.append(
            SignatureInfo(
                signer_name=_subject_name(certificate) if certificate else profile_name,
                certificate_subject=certificate.subject.rfc4514_string() if certificate else None,
                trusted_profile_name=profile_name,
                trusted_profile_pesel=profile_pesel,
                trusted_profile_account=account,
                signing_time=_text(_descendant(signature, "SigningTime")),
                check=check,
                check_detail=detail,
            )
        )
    return tuple(infos)


# ---------------------------------------------------------------------------- parsing


def _letter_root(root: etree._Element) -> etree._Element:
    """The CRD ``Dokument``: the root, or inside ds:Object for enveloping (.xades) files."""
    if root.tag == _DS_SIGNATURE:
        inner = next(
            (
                e
                for e in root.iter()
                if _local(e) == "Dokument" and etree.QName(e).namespace != ns.CRD_UPO
            ),
            None,
        )
        if inner is None:
            raise DocumentFormatError("Podpisany plik nie zawiera dokumentu CRD")
        return inner
    return root


def parse_letter_root(root: etree._Element) -> Letter:
    document = _letter_root(root)
    if _local(document) != "Dokument":
        raise DocumentFormatError(
            f"To nie jest pismo CRD: element główny {_local(document)!r} zamiast 'Dokument'"
        )
    data = _first(document, "DaneDokumentu")
    content = _first(document, "TrescDokumentu")
    if data is None and content is None:
        raise DocumentFormatError("Pismo CRD bez elementów DaneDokumentu i TrescDokumentu")

    dates: list[tuple[str, str]] = []
    for date_el in _outside_signatures(document, "Data"):
        if data is not None and date_el in data.iter():
            value = _text(_first(date_el, "Czas")) or _text(date_el)
            if value:
                dates.append((date_el.get("typDaty") or "", value))
    chosen = next((v for k, v in dates if k == "stworzony"), dates[0][1] if dates else None)

    name = _text(_descendant(_descendant(data, "Naglowek"), "NazwaDokumentu"))
    if name is None:
        name = _text(_descendant(_first(document, "OpisDokumentu"), "OpisDokumentu"))
    namespace = etree.QName(document).namespace or ""
    signature_root = root if root.tag == _DS_SIGNATURE else document
    return Letter(
        template_namespace=namespace,
        document_name=name,
        title=_text(_first(content, "Tytul")) if content is not None else None,
        place=_text(_first(content, "MiejscowoscDokumentu")) if content is not None else None,
        date=_parse_date(chosen),
        dates=tuple(dates),
        senders=_parties(_first(data, "Nadawcy")),
        addressees=_parties(_first(data, "Adresaci")),
        paragraphs=_paragraphs(content),
        # Signatures first: decoding a big attachment drops its text from the tree.
        signatures=_signatures(signature_root),
        attachments=_attachments(document),
        stylesheets=tuple(stylesheet_hrefs(root)),
        plain_text=normalise_text(xml_tree_text(root)),
    )


def parse_receipt_root(root: etree._Element) -> Receipt:
    if etree.QName(root).namespace != ns.CRD_UPO:
        raise DocumentFormatError("To nie jest poświadczenie UPP/UPD (inna przestrzeń nazw)")
    body = _first(root, "UPP")
    kind: Literal["UPP", "UPD"] = "UPP"
    if body is None:
        body = _first(root, "UPD")
        kind = "UPD"
    if body is None:
        raise DocumentFormatError("Poświadczenie bez elementu UPP ani UPD")
    event = _first(body, "DataDoreczenia") if kind == "UPP" else _first(body, "DataOdbioru")
    created_name = (
        "DataWytworzeniaPoswiadczenia" if kind == "UPP" else "DataUtworzeniaPoswiadczenia"
    )
    return Receipt(
        kind=kind,
        receipt_id=_text(_first(body, "IdentyfikatorPoswiadczenia")),
        certified_document_id=_text(_first(body, "IdentyfikatorDokumentu")),
        case_id=_text(_first(body, "IdentyfikatorSprawy")),
        event_time=_text(event),
        created_time=_text(_first(body, created_name)),
        addressee_name=_text(_first(_first(body, "Adresat"), "Nazwa")),
        sender_name=_text(_first(_first(body, "Nadawca"), "Nazwa")),
        signatures=_signatures(root),
        plain_text=normalise_text(xml_tree_text(root)),
    )


def is_receipt(root: etree._Element) -> bool:
    return etree.QName(root).namespace == ns.CRD_UPO


def parse_incoming_document(
    data: bytes | Path, *, max_bytes: int | None = None
) -> Letter | Receipt:
    """Parse a document from ePUAP: a :class:`Receipt` for UPP/UPD, else a :class:`Letter`.

    Raises :class:`~clerk_app.integrations.epuap.safe_xml.HostileXmlError` for unsafe or broken
    XML and :class:`DocumentFormatError` for XML of an unknown kind; the caller still stores
    the raw bytes and marks the document as needing attention. Large attachments of a
    letter come back as spool files: call :func:`discard_attachments` when done.
    """
    root = parse_untrusted_xml(
        data,
        max_bytes=max_bytes or MAX_DOCUMENT_BYTES,
        large_text_only_in=_ATTACHMENT_DATA,
        what="Dokument z ePUAP",
    )
    if is_receipt(root):
        return parse_receipt_root(root)
    return parse_letter_root(root)


def discard_attachments(document: Letter | Receipt | None) -> None:
    """Remove the spool files of a parsed letter's large attachments."""
    if isinstance(document, Letter):
        for attachment in document.attachments:
            payload.discard(attachment.content)
