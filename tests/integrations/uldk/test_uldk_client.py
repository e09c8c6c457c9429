"""UldkClient against the fake ULDK over real loopback HTTP: answers, quirks, cache, pacing, TLS."""

from __future__ import annotations

import datetime
import itertools
import ssl
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import shapely

from clerk_app.integrations.uldk import (
    UldkClient,
    UldkDatabaseDisconnected,
    UldkError,
    UldkMismatch,
    UldkNotFound,
    UldkQueryError,
    UldkUnavailable,
    uldk_ssl_context,
)
from clerk_app.integrations.uldk.fake_server import (
    DEFAULT_PARCELS,
    FakeParcel,
    FakeUldkServer,
    Quirk,
)
from clerk_app.integrations.uldk.tls import OP_LEGACY_SERVER_CONNECT
from clerk_app.services.parcel_id import ParcelId

if TYPE_CHECKING:
    from .conftest import ClientFactory, FakeClock


def _fake(parcel_id: str) -> FakeParcel:
    return next(p for p in DEFAULT_PARCELS if p.id == parcel_id)


# -- plain answers ------------------------------------------------------------------------


@pytest.mark.parametrize("geometry_format", ["wkb", "wkt"])
def test_parcel_by_id_returns_names_and_geometry_in_2180(
    make_client: ClientFactory, fake_uldk: FakeUldkServer, geometry_format: str
) -> None:
    client = make_client(geometry_format=geometry_format)
    parcel = client.get_parcel_by_id("141201_1.0001.6509")
    assert parcel.id == "141201_1.0001.6509"
    assert parcel.parcel_id == ParcelId.parse("141201_1.0001.6509")
    assert parcel.number == "6509"
    assert parcel.region == "Mińsk Mazowiecki"
    assert parcel.commune == "Mińsk Mazowiecki"
    assert parcel.county == "miński"
    assert parcel.voivodeship == "mazowieckie"
    assert parcel.geometry.srid == 2180
    expected = shapely.from_wkt(_fake("141201_1.0001.6509").wkt)
    assert parcel.geometry.shape.equals(expected)
    assert shapely.from_wkt(parcel.geometry.wkt).equals(expected)
    assert parcel.extent == pytest.approx(expected.bounds, abs=0.01)
    assert parcel.geometry.is_valid
    (request,) = fake_uldk.requests
    assert request.request == "GetParcelById"
    assert request.params["srid"] == "2180"
    assert request.params["result"].split(",")[-1] == f"geom_{geometry_format}"


def test_fields_are_read_in_the_order_requested(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    client = make_client()
    parcel = client.get_parcel_by_id("022503_5.0003.134")
    requested = fake_uldk.requests[0].params["result"].split(",")
    assert requested == list(client.fields)
    assert (parcel.region, parcel.commune, parcel.county) == (
        "Krzewina",
        "Bogatynia",
        "zgorzelecki",
    )


def test_lenient_id_is_sent_in_canonical_form(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    parcel = make_client().get_parcel_by_id(" 0663011.21.ar10.5/1")
    assert parcel.id == "066301_1.0021.AR_10.5/1"
    assert fake_uldk.requests[0].params["id"] == "066301_1.0021.AR_10.5/1"


def test_invalid_id_is_refused_before_asking_the_service(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    with pytest.raises(UldkQueryError, match="województwa „15”"):
        make_client().get_parcel_by_id("151201_1.0001.1")
    assert fake_uldk.requests == []


def test_precinct_name_and_number_lists_every_commune_and_sends_space_as_percent_20(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    parcels = make_client().get_parcels_by_id_or_nr("Krzewina 134")
    assert sorted((p.commune, p.id) for p in parcels) == [
        ("Bogatynia", "022503_5.0003.134"),
        ("Kaczory", "301903_2.0007.134"),
    ]
    raw = fake_uldk.requests[0].raw_query
    assert "Krzewina%20134" in raw
    assert "+" not in raw


def test_number_on_several_sheets_returns_all_candidates(make_client: ClientFactory) -> None:
    parcels = make_client().get_parcels_by_id_or_nr("Rury 5/1")
    assert sorted(str(p.parcel_id) for p in parcels) == [
        "066301_1.0021.AR_10.5/1",
        "066301_1.0021.AR_11.5/1",
    ]


def test_full_id_through_id_or_nr(make_client: ClientFactory) -> None:
    (parcel,) = make_client().get_parcels_by_id_or_nr("146518_8.0108.27")
    assert parcel.id == "146518_8.0108.27"


def test_name_without_number_is_refused(make_client: ClientFactory) -> None:
    with pytest.raises(UldkQueryError, match="nazwę obrębu i numer"):
        make_client().get_parcels_by_id_or_nr("Krzewina")


def test_point_inside_a_parcel(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    (parcel,) = make_client().get_parcels_by_xy(645050.0, 480050.0)
    assert parcel.id == "146518_8.0108.27"
    assert fake_uldk.requests[0].params["xy"] == "645050.00,480050.00"


def test_point_on_a_boundary_returns_both_neighbours(make_client: ClientFactory) -> None:
    parcels = make_client().get_parcels_by_xy(645100.0, 480050.0)
    assert sorted(p.id for p in parcels) == ["146518_8.0108.27", "146518_8.0108.28"]


def test_point_outside_poland_suggests_swapped_coordinates(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    # PL-2000 coordinates typed where PL-1992 is expected, and WGS84 latitude/longitude swapped.
    with pytest.raises(UldkQueryError, match="zamienione"):
        make_client().get_parcels_by_xy(5_980_000.0, 6_560_000.0)
    with pytest.raises(UldkQueryError, match="WGS84"):
        make_client().get_parcels_by_xy(52.2, 21.0, srid=4326)  # lat, lon swapped
    with pytest.raises(UldkQueryError, match="EPSG:2177"):
        make_client().get_parcels_by_xy(6_553_423.0, 6_053_029.0, srid=2177)
    assert fake_uldk.requests == []


def test_wgs84_point_is_sent_with_its_srid(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    with pytest.raises(UldkError):
        make_client().get_parcels_by_xy(21.0, 52.2, srid=4326)  # the fake serves 2180 only
    assert fake_uldk.requests[0].params["xy"] == "21.0000000,52.2000000,4326"


def test_invalid_polygon_is_returned_and_flagged(make_client: ClientFactory) -> None:
    parcel = make_client().get_parcel_by_id("126103_9.0008.3/9")
    assert not parcel.geometry.is_valid


# -- quirks ---------------------------------------------------------------------------------


def test_not_found(make_client: ClientFactory) -> None:
    with pytest.raises(UldkNotFound) as caught:
        make_client().get_parcel_by_id("141201_1.0001.9999")
    assert caught.value.service_message == "brak wyników"


def test_html_page_instead_of_text(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.inject(Quirk.HTML_PAGE, times=1)
    with pytest.raises(UldkUnavailable, match="HTML"):
        make_client().get_parcel_by_id("141201_1.0001.6509")


def test_http_503(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.inject(Quirk.UNAVAILABLE_503)
    with pytest.raises(UldkUnavailable, match="503"):
        make_client().get_parcel_by_id("141201_1.0001.6509")


def test_service_error_keeps_the_service_message(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.error_message = "wystąpił błąd"
    fake_uldk.inject(Quirk.SERVICE_ERROR)
    with pytest.raises(UldkError, match="wystąpił błąd") as caught:
        make_client().get_parcel_by_id("141201_1.0001.6509")
    assert type(caught.value) is UldkError
    assert caught.value.service_message == "wystąpił błąd"


def test_database_disconnect_is_retried(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.inject(Quirk.DATABASE_DISCONNECTED, times=1)
    parcel = make_client().get_parcel_by_id("141201_1.0001.6509")
    assert parcel.number == "6509"
    assert len(fake_uldk.requests) == 2


def test_lasting_database_disconnect_gives_up_after_the_retries(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.inject(Quirk.DATABASE_DISCONNECTED)
    with pytest.raises(UldkDatabaseDisconnected) as caught:
        make_client(retries=2).get_parcel_by_id("141201_1.0001.6509")
    assert isinstance(caught.value, UldkUnavailable)
    assert len(fake_uldk.requests) == 3


def test_duplicate_rows_are_collapsed(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.inject(Quirk.DUPLICATE_ROWS)
    client = make_client()
    assert client.get_parcel_by_id("141201_1.0001.6509").number == "6509"
    parcels = client.get_parcels_by_id_or_nr("Krzewina 134")
    assert len(parcels) == 2
    assert len({p.id for p in parcels}) == 2


def test_mismatching_result_by_id(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.inject(Quirk.MISMATCH)
    with pytest.raises(UldkMismatch, match="nie pasują") as caught:
        make_client().get_parcel_by_id("146518_8.0108.27")
    assert "141201_1.0001.6509" in str(caught.value)


def test_mismatching_result_by_name_and_number(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.inject(Quirk.MISMATCH)
    with pytest.raises(UldkMismatch):
        make_client().get_parcels_by_id_or_nr("Krzewina 134")


def test_mismatching_result_by_point(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.inject(Quirk.MISMATCH)
    with pytest.raises(UldkMismatch):
        make_client().get_parcels_by_xy(645050.0, 480050.0)


def test_slow_answer_times_out(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.slow_seconds = 5.0
    fake_uldk.inject(Quirk.SLOW)
    started = time.monotonic()
    with pytest.raises(UldkUnavailable, match="nie odpowiedziała"):
        make_client(timeout=0.3).get_parcel_by_id("141201_1.0001.6509")
    assert time.monotonic() - started < 3.0


def test_slow_answer_within_timeout_is_accepted(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    fake_uldk.slow_seconds = 0.2
    fake_uldk.inject(Quirk.SLOW, times=1)
    assert make_client(timeout=5.0).get_parcel_by_id("141201_1.0001.6509").number == "6509"


def test_service_down(make_client: ClientFactory) -> None:
    with FakeUldkServer() as gone:
        url = gone.url
    with pytest.raises(UldkUnavailable, match="Nie można połączyć"):
        make_client(base_url=url).get_parcel_by_id("141201_1.0001.6509")


# -- cache --------------------------------------------------------------------------------


def test_answers_are_cached_until_they_expire(
    make_client: ClientFactory, fake_uldk: FakeUldkServer, clock: FakeClock
) -> None:
    client = make_client(cache_ttl=600.0)
    first = client.get_parcel_by_id("141201_1.0001.6509")
    assert client.get_parcel_by_id("141201_1.0001.6509") == first
    assert client.get_parcel_by_id("1412011.1.6509") == first  # same id typed loosely
    assert len(fake_uldk.requests) == 1
    client.get_parcel_by_id("141201_1.0001.6509", refresh=True)
    assert len(fake_uldk.requests) == 2
    clock.advance(601.0)
    client.get_parcel_by_id("141201_1.0001.6509")
    assert len(fake_uldk.requests) == 3


def test_not_found_is_cached_for_its_own_ttl(
    make_client: ClientFactory, fake_uldk: FakeUldkServer, clock: FakeClock
) -> None:
    client = make_client(cache_ttl=3600.0, not_found_ttl=60.0)
    for _ in range(3):
        with pytest.raises(UldkNotFound):
            client.get_parcel_by_id("141201_1.0001.9999")
    assert len(fake_uldk.requests) == 1
    clock.advance(61.0)
    with pytest.raises(UldkNotFound):
        client.get_parcel_by_id("141201_1.0001.9999")
    assert len(fake_uldk.requests) == 2


def test_name_queries_are_cached_case_insensitively(
    make_client: ClientFactory, fake_uldk: FakeUldkServer
) -> None:
    client = make_client()
    client.get_parcels_by_id_or_nr("Krzewina 134")
    client.get_parcels_by_id_or_nr("  krzewina   134 ")
    assert len(fake_uldk.requests) == 1


def test_failures_are_not_cached(make_client: ClientFactory, fake_uldk: FakeUldkServer) -> None:
    fake_uldk.inject(Quirk.HTML_PAGE, times=1)
    client = make_client()
    with pytest.raises(UldkUnavailable):
        client.get_parcel_by_id("141201_1.0001.6509")
    assert client.get_parcel_by_id("141201_1.0001.6509").number == "6509"
    assert len(fake_uldk.requests) == 2


# -- pacing -------------------------------------------------------------------------------


def test_rate_limit_spaces_requests_with_an_injected_clock(
    make_client: ClientFactory, fake_uldk: FakeUldkServer, clock: FakeClock
) -> None:
    client = make_client(requests_per_second=2.0, burst=1)
    client.get_parcel_by_id("141201_1.0001.6509")
    client.get_parcel_by_id("022503_5.0003.134")
    client.get_parcel_by_id("146518_8.0108.27")
    assert clock.sleeps == pytest.approx([0.5, 0.5])
    client.get_parcel_by_id("146518_8.0108.27")  # cached: no request, no wait
    assert clock.sleeps == pytest.approx([0.5, 0.5])
    clock.advance(10.0)  # idle time refills the bucket, up to the burst only
    client.get_parcel_by_id("146518_8.0108.28")
    client.get_parcel_by_id("126103_9.0008.3/9")
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5])
    assert len(fake_uldk.requests) == 5


def test_rate_limit_with_the_real_clock(fake_uldk: FakeUldkServer) -> None:
    with UldkClient(fake_uldk.url, requests_per_second=10.0, burst=1) as client:
        for parcel_id in ("141201_1.0001.6509", "022503_5.0003.134", "146518_8.0108.27"):
            client.get_parcel_by_id(parcel_id)
    times = [r.received_at for r in fake_uldk.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 2
    # Slots are 0.1 s apart; arrival times jitter by the loopback round trip only.
    assert all(gap >= 0.08 for gap in gaps), gaps


def test_retries_are_paced_too(
    make_client: ClientFactory, fake_uldk: FakeUldkServer, clock: FakeClock
) -> None:
    fake_uldk.inject(Quirk.DATABASE_DISCONNECTED, times=2)
    make_client(requests_per_second=4.0, burst=1).get_parcel_by_id("141201_1.0001.6509")
    assert clock.sleeps == pytest.approx([0.25, 0.25])


# -- TLS ----------------------------------------------------------------------------------


def test_tls_context_verifies_and_allows_legacy_renegotiation() -> None:
    context = uldk_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.options & OP_LEGACY_SERVER_CONNECT
    with UldkClient() as client:
        assert client.ssl_context.verify_mode == ssl.CERT_REQUIRED
        assert client.ssl_context.options & OP_LEGACY_SERVER_CONNECT


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_untrusted_certificate_is_refused_and_a_trusted_one_works(tmp_path: Path) -> None:
    cert_path, key_path = _self_signed_certificate(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    with FakeUldkServer(tls_context=server_context) as server:
        assert server.url.startswith("https://localhost:")
        with (
            UldkClient(server.url, timeout=5.0) as default_client,
            pytest.raises(UldkUnavailable, match="Nie można połączyć"),
        ):
            default_client.get_parcel_by_id("141201_1.0001.6509")
        trusting = uldk_ssl_context(extra_ca_file=cert_path)
        with UldkClient(server.url, timeout=5.0, ssl_context=trusting) as client:
            assert client.get_parcel_by_id("141201_1.0001.6509").number == "6509"
