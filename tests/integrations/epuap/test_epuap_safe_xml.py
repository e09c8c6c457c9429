"""Hostile XML: every case is refused with a clear Polish message, or decoded correctly."""

from __future__ import annotations

import codecs

import pytest

from clerk_app.integrations.epuap.safe_xml import (
    HostileXmlError,
    parse_untrusted_xml,
    stylesheet_hrefs,
)

POLISH = "Zażółć gęślą jaźń — Łódź"


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
        b'<!DOCTYPE a SYSTEM "http://evil.example/a.dtd"><a/>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
        ),
        b"<!doctype a><a/>",
        codecs.BOM_UTF8 + b'<!DOCTYPE a [<!ENTITY x "y">]><a/>',
    ],
    ids=["internal-entity", "external-dtd", "xxe-file", "billion-laughs", "lowercase", "after-bom"],
)
def test_doctype_and_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(HostileXmlError, match="DOCTYPE"):
        parse_untrusted_xml(payload)


def test_undeclared_entity_reference_is_refused_not_expanded() -> None:
    with pytest.raises(HostileXmlError, match="uszkodzony"):
        parse_untrusted_xml(b"<a>&xxe;</a>")


def test_gigantic_text_node_is_refused_by_default_and_size_limit_always_applies() -> None:
    big = b"<a>" + b"A" * (11 * 1024 * 1024) + b"</a>"
    with pytest.raises(HostileXmlError, match="węzeł tekstowy"):
        parse_untrusted_xml(big, max_bytes=64 * 1024 * 1024)
    assert (
        len(parse_untrusted_xml(big, max_bytes=64 * 1024 * 1024, large_text_nodes=True).text or "")
        > 0
    )
    with pytest.raises(HostileXmlError, match="za duży"):
        parse_untrusted_xml(big, max_bytes=1024 * 1024, large_text_nodes=True)


def test_utf8_bom_with_conflicting_windows1250_declaration() -> None:
    data = (
        codecs.BOM_UTF8 + f'<?xml version="1.0" encoding="windows-1250"?><a>{POLISH}</a>'.encode()
    )
    assert parse_untrusted_xml(data).text == POLISH


def test_declared_windows1250_but_really_utf8() -> None:
    data = f'<?xml version="1.0" encoding="windows-1250"?><a>{POLISH}</a>'.encode()
    assert parse_untrusted_xml(data).text == POLISH


def test_real_windows1250_content() -> None:
    data = f'<?xml version="1.0" encoding="windows-1250"?><a>{POLISH}</a>'.encode("cp1250")
    assert parse_untrusted_xml(data).text == POLISH


def test_utf16_with_bom() -> None:
    data = f'<?xml version="1.0" encoding="UTF-16"?><a>{POLISH}</a>'.encode("utf-16")
    assert parse_untrusted_xml(data).text == POLISH


def test_declared_utf8_with_invalid_bytes_is_refused() -> None:
    data = f'<?xml version="1.0" encoding="UTF-8"?><a>{POLISH}</a>'.encode("cp1250")
    with pytest.raises(HostileXmlError, match="UTF-8"):
        parse_untrusted_xml(data)


def test_unknown_encoding_name_is_refused_when_not_utf8() -> None:
    data = '<?xml version="1.0" encoding="x-klingon"?><a>żółw</a>'.encode("cp1250")
    with pytest.raises(HostileXmlError, match="x-klingon"):
        parse_untrusted_xml(data)


@pytest.mark.parametrize("payload", [b"", b"   ", b"<a><b>truncat", b"nie xml"])
def test_empty_truncated_or_non_xml_is_refused(payload: bytes) -> None:
    with pytest.raises(HostileXmlError):
        parse_untrusted_xml(payload)


def test_stylesheet_instruction_is_reported_not_followed() -> None:
    root = parse_untrusted_xml(
        b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" '
        b'href="http://crd.gov.pl/wzor/x/styl.xsl"?><a/>'
    )
    assert stylesheet_hrefs(root) == ["http://crd.gov.pl/wzor/x/styl.xsl"]
