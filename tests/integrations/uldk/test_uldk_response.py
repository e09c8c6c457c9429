"""Reading ULDK response bodies (shapes as recorded from the real service, own coordinates)."""

from __future__ import annotations

import pytest
import shapely

from clerk_app.integrations.uldk.cache import NotFound, TtlCache
from clerk_app.integrations.uldk.errors import (
    UldkDatabaseDisconnected,
    UldkError,
    UldkNotFound,
    UldkUnavailable,
)
from clerk_app.integrations.uldk.rate_limit import TokenBucket
from clerk_app.integrations.uldk.response import UldkGeometry, UldkParcel, parse_records

SQUARE = "POLYGON((500000 400000,500010 400000,500010 400020,500000 400020,500000 400000))"
TRIANGLE = "POLYGON((600000 300000,600030 300000,600000 300040,600000 300000))"


def test_name_query_answer_with_count_status_and_fields_in_request_order() -> None:
    body = (f"2\nSRID=2180;{SQUARE}|Gmina A|Lipowo\nSRID=2180;{TRIANGLE}|Gmina B|Lipowo\n").encode()
    records = parse_records(body, "text/plain", ["geom_wkt", "commune", "region"])
    assert [(r["commune"], r["region"]) for r in records] == [
        ("Gmina A", "Lipowo"),
        ("Gmina B", "Lipowo"),
    ]
    geometry = UldkGeometry.parse(records[1]["geom_wkt"])
    assert geometry.srid == 2180
    assert geometry.shape.area == pytest.approx(600.0)


def test_full_record_line_becomes_a_parcel() -> None:
    fields = [
        "voivodeship",
        "geom_extent",
        "county",
        "commune",
        "teryt",
        "parcel",
        "region",
        "geom_wkt",
    ]
    line = (
        "Mazowieckie|500000.0,400000.0,500010.0,400020.0|Miński|Mińsk Mazowiecki|"
        f"141201_1.0001.77/3|77/3|Mińsk Mazowiecki|SRID=2180;{SQUARE}"
    )
    (record,) = parse_records(f"0\r\n{line}\r\n".encode(), None, fields)
    parcel = UldkParcel.from_fields(record)
    assert str(parcel.parcel_id) == "141201_1.0001.77/3"
    assert parcel.number == "77/3"
    assert parcel.county == "Miński"
    assert parcel.extent == (500000.0, 400000.0, 500010.0, 400020.0)
    assert parcel.geometry.shape.area == pytest.approx(200.0)


def test_hex_ewkb_geometry_keeps_its_srid() -> None:
    geom = shapely.set_srid(shapely.from_wkt(TRIANGLE), 2180)
    hex_ewkb = shapely.to_wkb(geom, hex=True, include_srid=True)
    parsed = UldkGeometry.parse(hex_ewkb)
    assert parsed.srid == 2180
    assert parsed.shape.equals(shapely.from_wkt(TRIANGLE))
    assert shapely.get_srid(shapely.from_wkb(parsed.wkb)) == 0  # plain WKB stored


def test_parcel_id_outside_the_grammar_is_kept_as_text() -> None:
    parcel = UldkParcel.from_fields({"teryt": "14-1201.0001.12 a", "geom_wkt": SQUARE})
    assert parcel.id == "14-1201.0001.12 a"
    assert parcel.parcel_id is None


@pytest.mark.parametrize(
    ("body", "error", "message_part"),
    [
        (b"-1 wyst\xc4\x85pi\xc5\x82 b\xc5\x82\xc4\x85d\n", UldkError, "wystąpił błąd"),
        (b"-1 brak wynik\xc3\xb3w\n", UldkNotFound, "nie znalazła"),
        (b"-1\n", UldkNotFound, "nie znalazła"),
        (b"0\n", UldkNotFound, "nie znalazła"),
        ("-1 Brak połączenia ze zbiorczą bazą".encode(), UldkDatabaseDisconnected, "bazą"),
        (b"", UldkUnavailable, "pustą"),
        (b"  \n\n", UldkUnavailable, "pustą"),
        (b"<html><body>503</body></html>", UldkUnavailable, "HTML"),
        (b"OK\n1|2\n", UldkError, "statusu"),
        (b"0\nonly-one-field\n", UldkError, "1 polami zamiast 2"),
        (b"0\n\xff\xfe|x\n", UldkError, "UTF-8"),
    ],
)
def test_bad_answers(body: bytes, error: type[Exception], message_part: str) -> None:
    with pytest.raises(error, match=message_part) as caught:
        parse_records(body, "text/plain; charset=utf-8", ["teryt", "geom_wkt"])
    if error is UldkError:
        assert type(caught.value) is UldkError


def test_html_content_type_alone_is_enough() -> None:
    with pytest.raises(UldkUnavailable):
        parse_records(b"0\n1|2\n", "text/html", ["a", "b"])


def test_byte_order_mark_is_ignored() -> None:
    records = parse_records("\ufeff0\nx|y\n".encode(), None, ["a", "b"])
    assert records == [{"a": "x", "b": "y"}]


@pytest.mark.parametrize("text", ["SRID=2180;POLYGON((1 2", "SRID=2180;POLYGON EMPTY", "ABCDEF"])
def test_unreadable_geometry(text: str) -> None:
    with pytest.raises(UldkError, match="geometri"):
        UldkGeometry.parse(text)


def test_cache_is_bounded_and_keeps_recently_used_entries() -> None:
    now = [0.0]
    cache: TtlCache[str] = TtlCache(
        ttl=10.0, not_found_ttl=1.0, max_entries=2, clock=lambda: now[0]
    )
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "a" is now the most recent
    cache.put("c", NotFound("brak"))
    assert cache.get("b") is None
    assert cache.get("a") == "A"
    assert cache.get("c") == NotFound("brak")
    now[0] = 1.5
    assert cache.get("c") is None
    assert cache.get("a") == "A"
    now[0] = 10.5
    assert cache.get("a") is None
    assert len(cache) == 0


def test_token_bucket_allows_a_burst_then_paces() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(4.0, burst=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        bucket.acquire()
    assert waits == pytest.approx([0.25, 0.25])
    with pytest.raises(ValueError):
        TokenBucket(0.0)
