"""Plain records produced by the readers; geometry is always in EPSG:2180 (PL-1992)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from shapely.geometry import MultiPolygon, Point, Polygon

WORKING_EPSG = 2180

AreaGeometry: TypeAlias = Polygon | MultiPolygon  # shapely is untyped: spell out the alias


@dataclass(slots=True)  # not frozen, like ParcelRecord: built per parcel during an import
class LandUse:
    """One land-use class inside a parcel (klasoużytek): OFU/OZU/OZK and its area."""

    ofu: str
    ozu: str | None = None
    ozk: str | None = None
    area_ha: float | None = None


# Not frozen: a frozen dataclass sets every field through object.__setattr__, which made
# building a parcel record cost ten times more (2.6 µs of 21 fields, once per parcel imported).
@dataclass(slots=True)
class ParcelRecord:
    """A parcel (działka ewidencyjna) from an EGiB export or a county WFS layer.

    Links to other EGiB objects (precinct, register unit, land-use classes, addresses) are
    normalised reference keys (see ``gml_values.reference_key``); the matching side records are
    yielded by the same reader, possibly later in the file.
    """

    parcel_id: str
    number: str
    geometry: AreaGeometry
    source: str
    line: int
    precinct_code: str | None = None
    precinct_name: str | None = None
    commune_name: str | None = None
    sheet: str | None = None
    area_ha: float | None = None
    land_uses: tuple[LandUse, ...] = ()
    land_use_refs: tuple[str, ...] = ()
    address_refs: tuple[str, ...] = ()
    precinct_ref: str | None = None
    register_unit_ref: str | None = None
    register_unit: str | None = None
    land_register_number: str | None = None
    local_id: str | None = None
    version_id: str | None = None
    source_epsg: int = WORKING_EPSG
    repaired: bool = False


@dataclass(frozen=True, slots=True)
class PrecinctRecord:
    """EGB_ObrebEwidencyjny: precinct code (WWPPGG_R.OOOO) and its name."""

    key: str
    precinct_code: str
    name: str | None
    unit_ref: str | None = None


@dataclass(frozen=True, slots=True)
class CadastralUnitRecord:
    """EGB_JednostkaEwidencyjna: cadastral unit code (WWPPGG_R) and its name."""

    key: str
    unit_code: str
    name: str | None


@dataclass(frozen=True, slots=True)
class RegisterUnitRecord:
    """EGB_JednostkaRejestrowaGruntow: the land register unit (JRG) number."""

    key: str
    unit_number: str


@dataclass(frozen=True, slots=True)
class LandUseRecord:
    """A land-use class object referenced from parcels (pre-2021 schema)."""

    key: str
    land_use: LandUse


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """EGB_AdresNieruchomosci: an address point (the point may be missing)."""

    key: str
    locality: str | None
    street: str | None
    house_number: str | None
    flat_number: str | None = None
    point: Point | None = None


@dataclass(frozen=True, slots=True)
class OwnershipShareRecord:
    """EGB_UdzialWeWlasnosci / EGB_UdzialWeWladaniu: a subject's share in a register unit (JRG).

    ``share`` is the fraction as written ("3/4"), with "władanie" added for possession (not
    ownership) shares.
    """

    key: str
    register_unit_ref: str
    subject_refs: tuple[str, ...]
    share: str


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """An owner: EGB_OsobaFizyczna, EGB_Instytucja, EGB_PodmiotGrupowy, EGB_Malzenstwo, ...

    A marriage has no name of its own: ``member_refs`` point at the two persons. PESEL and
    parents' names are never read (not needed to show owners; data minimisation).
    """

    key: str
    name: str
    address_ref: str | None = None
    address: str | None = None
    member_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubjectAddressRecord:
    """EGB_AdresZameldowania / EGB_AdresPodmiotu: an owner's address, as one line of text."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class PlanZoneRecord:
    """A planning zone: APP 2.0 StrefaPlanistyczna or a zone of a local plan layer."""

    zone_id: str
    symbol: str
    geometry: AreaGeometry
    line: int
    designation: str | None = None
    name: str | None = None
    plan_id: str | None = None
    plan_name: str | None = None
    profiles: tuple[str, ...] = ()
    max_above_ground_intensity: float | None = None
    max_built_up_share: float | None = None
    max_height_m: float | None = None
    min_biologically_active_share: float | None = None
    source_epsg: int = WORKING_EPSG
    repaired: bool = False


@dataclass(frozen=True, slots=True)
class PlanActRecord:
    """APP AktPlanowaniaPrzestrzennego: the act and its boundary."""

    plan_id: str
    title: str | None
    plan_type: str | None
    status: str | None
    valid_from: str | None
    boundary: AreaGeometry | None
    line: int


@dataclass(frozen=True, slots=True)
class RejectedFeature:
    """A feature that was skipped, with the reason shown to the clerk."""

    feature: str
    line: int | None
    reason: str


@dataclass(slots=True)
class ImportSummary:
    """What a reader has done so far; final once iteration has finished."""

    path: str
    read: int = 0
    repaired: int = 0
    axis_swapped: int = 0
    skipped_archival: int = 0
    rejected: list[RejectedFeature] = field(default_factory=list)
    bytes_read: int = 0
    total_bytes: int = 0
    schema: str | None = None
    cancelled: bool = False

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)
