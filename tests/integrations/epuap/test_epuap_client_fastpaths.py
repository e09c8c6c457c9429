"""Fast paths of the receive side must give exactly the slow paths' results: base64 decoding
(with and without pybase64), the C14N digest of big text nodes hashed from Python, the
DOCTYPE scan of big answers, the URI-attachment test and the cached certificate token."""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

import pytest
from lxml import etree

from clerk_app.integrations.epuap import payload, wssecurity
from clerk_app.integrations.epuap.envelope import (
    Mailbox,
    build_confirm_request,
    new_envelope,
    serialize,
)
from clerk_app.integrations.epuap.errors import SignatureError
from clerk_app.integrations.epuap.safe_xml import HostileXmlError, parse_untrusted_xml
from clerk_app.integrations.epuap.wssecurity import (
    SigningIdentity,
    sign_envelope,
    verify_envelope,
)
from clerk_app.services.inbox.epuap import _mentions_uri

BOX = Mailbox("ug_testowo", "skrytka", "/ug_testowo/skrytka")
_CASES = [
    "QUJD",
    "QUJ",
    "QU=D",
    "QUJD=",
    "QUJD====",
    "Q!JD",
    "QUJD\n",
    "QU JD\r\nRUZH",
    "QQ==",
    "QR==",
    "====",
    "",
    "ąę",
    base64.b64encode(bytes(range(256)) * 300).decode(),
    base64.encodebytes(bytes(range(256)) * 300).decode(),  # line-wrapped (MIME style)
]


def _reference(text: str) -> bytes | type[Exception]:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except ValueError as exc:  # binascii.Error too
        return binascii.Error if isinstance(exc, binascii.Error) else ValueError


@pytest.mark.parametrize("fast", [True, False], ids=["pybase64", "stdlib"])
@pytest.mark.parametrize("text", _CASES, ids=range(len(_CASES)))
def test_base64_decoding_matches_the_strict_standard_library(
    text: str, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fast:
        monkeypatch.setattr(payload, "_fast_b64decode", None)
    expected = _reference(text)
    if isinstance(expected, bytes):
        assert payload.decode_base64_text(text) == expected
        if len(text) < 1000:
            return
        spooled = payload.decode_base64_text(text, spool_above=0)  # decoded in slices
        assert isinstance(spooled, Path)
        try:
            assert spooled.read_bytes() == expected
        finally:
            spooled.unlink()
    else:
        with pytest.raises(expected):
            payload.decode_base64_text(text)


def test_big_text_node_digest_equals_libxml2_canonical_form() -> None:
    """Text and tails between DETACH_ABOVE and a slice, with every character C14N escapes."""
    _envelope, _header, body = new_envelope()
    holder = etree.SubElement(body, "zawartosc")
    special = "a&b<c>d\re\"f'g — żółć\n"
    holder.text = special * (wssecurity.DETACH_ABOVE // len(special) + 10)
    sibling = etree.SubElement(body, "po")
    sibling.tail = "&<>\r" * (wssecurity.DETACH_ABOVE // 4 + 1)
    assert len(holder.text) > wssecurity.DETACH_ABOVE
    expected = hashlib.sha256(wssecurity._exc_c14n(body)).digest()
    assert wssecurity._body_digest(body) == expected
    assert holder.text.startswith(special) and sibling.tail.startswith("&<>\r")  # put back

    detached: wssecurity.Detached = {}
    assert wssecurity._body_digest(body, None, detached) == expected
    assert holder.text is None and detached[holder].startswith(special)


def test_signed_big_body_verifies_and_tampering_is_caught(
    office_identity: SigningIdentity,
) -> None:
    envelope, _header, body = new_envelope()
    etree.SubElement(body, "zawartosc").text = "QUJD" * 50_000  # 200 KB: hashed from Python
    signed = etree.fromstring(serialize(sign_envelope(envelope, office_identity)))
    assert verify_envelope(signed, [office_identity.certificate]) == office_identity.certificate
    tampered = etree.fromstring(serialize(signed).replace(b"QUJDQUJD", b"QUJEQUJD", 1))
    with pytest.raises(SignatureError, match="zmieniono"):
        verify_envelope(tampered, [office_identity.certificate])


def test_certificate_token_is_cached_but_still_checked(
    office_identity: SigningIdentity, epuap_identity: SigningIdentity
) -> None:
    first = sign_envelope(build_confirm_request(BOX, "a"), office_identity)
    second = sign_envelope(build_confirm_request(BOX, "b"), office_identity)
    token = f"{{{wssecurity.ns.WSSE}}}BinarySecurityToken"
    assert first.findtext(f".//{token}") == second.findtext(f".//{token}")
    verify_envelope(etree.fromstring(serialize(first)), [office_identity.certificate])
    with pytest.raises(SignatureError, match="spoza listy"):
        verify_envelope(etree.fromstring(serialize(second)), [epuap_identity.certificate])


@pytest.mark.parametrize("where", ["first-slice", "later-slice"])
def test_doctype_anywhere_in_a_big_answer_is_refused(where: str) -> None:
    filler = b"A" * (3 << 20)
    declaration = b"<!ENTITY x SYSTEM 'file:///etc/passwd'>"
    if where == "first-slice":
        data = b"<a>" + declaration + filler + b"</a>"
    else:
        data = b"<a>" + filler + declaration + b"</a>"
    with pytest.raises(HostileXmlError, match="DOCTYPE lub ENTITY"):
        parse_untrusted_xml(data, max_bytes=10 << 20, large_text_nodes=True)


def test_comment_with_exclamation_mark_is_still_parsed() -> None:
    root = parse_untrusted_xml(b"<a><!-- uwaga! --><b>tak!</b></a>")
    assert root.findtext("b") == "tak!"


@pytest.mark.parametrize(
    "text",
    [
        b'<zalacznik kodowanie="URI">',
        b"<zalacznik KODOWANIE = 'uri' >",
        b'<zalacznik Kodowanie="Uri">',
    ],
)
def test_uri_attachment_is_noticed_in_any_letter_case(text: bytes, tmp_path: Path) -> None:
    content = b"<pismo>" + b"x" * 300_000 + text + b"</pismo>"
    assert _mentions_uri(content)
    spooled = tmp_path / "letter.xml"
    spooled.write_bytes(b"y" * ((1 << 20) - 10) + text)  # straddles the 1 MB read boundary
    assert _mentions_uri(spooled)


def test_base64_attachment_is_not_taken_for_a_uri(tmp_path: Path) -> None:
    content = b'<pismo><zalacznik kodowanie="base64">URI</zalacznik></pismo>'
    assert not _mentions_uri(content)
    spooled = tmp_path / "letter.xml"
    spooled.write_bytes(content)
    assert not _mentions_uri(spooled)


def test_signing_can_hand_over_big_text_instead_of_putting_it_back(
    office_identity: SigningIdentity,
) -> None:
    """The simulator writes a fetch answer's content itself: signing with ``detached`` leaves
    the big text out of the tree and the signature still covers it."""
    envelope, _header, body = new_envelope()
    holder = etree.SubElement(body, "zawartosc")
    holder.text = "QUJD" * 50_000
    detached: wssecurity.Detached = {}
    sign_envelope(envelope, office_identity, detached=detached)
    assert holder.text is None and detached == {holder: "QUJD" * 50_000}
    holder.text = detached[holder]
    signed = etree.fromstring(serialize(envelope))
    assert verify_envelope(signed, [office_identity.certificate]) == office_identity.certificate
