"""Owners in EGiB GML: shares, persons, marriages, institutions and their addresses."""

from __future__ import annotations

from pathlib import Path

from clerk_app.integrations.egib.gml_reader import EgibGmlReader
from clerk_app.integrations.egib.records import (
    OwnershipShareRecord,
    ParcelRecord,
    SubjectAddressRecord,
    SubjectRecord,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_shares_subjects_and_addresses_are_read_with_their_links() -> None:
    records = list(EgibGmlReader(FIXTURES / "egib_2021_owners.gml"))

    parcels = {r.parcel_id: r for r in records if isinstance(r, ParcelRecord)}
    assert parcels["061304_5.0020.15/1"].register_unit_ref == "jrgG7"
    shares = {r.key: r for r in records if isinstance(r, OwnershipShareRecord)}
    assert shares["udz1"] == OwnershipShareRecord("udz1", "jrgG7", ("os1",), "1/2")
    assert shares["udz2"].subject_refs == ("mal1",)
    assert shares["udz3"] == OwnershipShareRecord("udz3", "jrgG8", ("inst1",), "1/1")
    # Possession (władanie) is not ownership: the share says so.
    assert shares["wl1"].share == "1/1 władanie"
    subjects = {r.key: r for r in records if isinstance(r, SubjectRecord)}
    assert subjects["os1"].name == "Zenobiusz Próbny"
    assert subjects["os1"].address_ref == "adr1"
    assert subjects["os2"].name == "Apolonia Maria Wymyślona-Zmyślona"
    assert subjects["mal1"].name == "" and subjects["mal1"].member_refs == ("os2", "os3")
    assert subjects["inst1"].name == "Gmina Testowa"
    addresses = {r.key: r.text for r in records if isinstance(r, SubjectAddressRecord)}
    assert addresses["adr1"] == "Nieistniejąca 7/2, 99-999 Zmyślonowo"
    assert addresses["adr2"] == "99-998 Testowo 1"
    # The PESEL in the file is never read into any record (data minimisation).
    assert "00000000000" not in repr(records)
