"""``clerk-app parcels …``: import EGiB / WFS / plan-zone files, show, find, locate parcels."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from clerk_app.cli import emit, json_flag
from clerk_app.config import Settings
from clerk_app.errors import ClerkError

if TYPE_CHECKING:
    from clerk_app.services.app_context import AppContext
    from clerk_app.services.parcel_store import ParcelDetails, ParcelSummary
    from clerk_app.services.users import CurrentUser


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parcels = sub.add_parser("parcels", help="działki: import, wyszukiwanie, strefy planu")
    parcels_sub = parcels.add_subparsers(dest="parcels_command", required=True, metavar="AKCJA")

    imp = parcels_sub.add_parser(
        "import", help="importuj pliki EGiB GML, warstwy WFS działek lub strefy planu"
    )
    imp.add_argument("files", nargs="+", metavar="PLIK")
    imp.add_argument(
        "--kind",
        choices=["egib", "wfs", "app_zones", "zones"],
        help="rodzaj pliku (domyślnie rozpoznawany z treści)",
    )
    imp.add_argument(
        "--symbol-attribute", help="atrybut z symbolem strefy (warstwy stref planu miejscowego)"
    )
    imp.add_argument("--plan-id", help="identyfikator planu (np. numer uchwały)")
    imp.add_argument("--plan-name", help="nazwa planu")
    imp.add_argument("--srs-name", help="układ współrzędnych, gdy plik go nie podaje")
    imp.add_argument(
        "--geojson-epsg", type=int, default=4326, help="EPSG pliku GeoJSON bez opisu układu"
    )
    imp.add_argument(
        "--owners",
        action="store_true",
        help="importuj także właścicieli z pliku EGiB (dane osobowe; wymaga uprawnień)",
    )
    _user_flag(imp)
    json_flag(imp)
    imp.set_defaults(handler=cmd_parcels_import)

    show = parcels_sub.add_parser("show", help="pokaż działkę z lokalnej bazy")
    show.add_argument("parcel_id", metavar="ID")
    show.add_argument(
        "--sensitive",
        action="store_true",
        help="także jednostka rejestrowa, KW i właściciele (wymaga uprawnień; wgląd jest logowany)",
    )
    _user_flag(show)
    json_flag(show)
    show.set_defaults(handler=cmd_parcels_show)

    find = parcels_sub.add_parser(
        "find", help="znajdź działki: identyfikator, obręb i numer, nazwa obrębu, adres, XY"
    )
    find.add_argument("text", nargs="+", metavar="TEKST")
    json_flag(find)
    find.set_defaults(handler=cmd_parcels_find)

    at = parcels_sub.add_parser("at", help="działki w punkcie")
    at.add_argument("x", type=float, help="wschodnia (easting) albo długość geograficzna")
    at.add_argument("y", type=float, help="północna (northing) albo szerokość geograficzna")
    at.add_argument(
        "--srid", type=int, default=2180, help="EPSG punktu: 2180 (domyślnie), 2176–2179, 4326"
    )
    json_flag(at)
    at.set_defaults(handler=cmd_parcels_at)


def _user_flag(p: argparse.ArgumentParser) -> None:
    from clerk_app.cli import user_flag

    user_flag(p)  # also accepted after the subcommand, as before


def _actor(ctx: AppContext, args: argparse.Namespace) -> CurrentUser:
    from clerk_app.cli import acting_user

    return acting_user(ctx, args)


def _open(settings: Settings) -> AppContext:
    from clerk_app.services.app_context import open_context

    return open_context(settings)


def cmd_parcels_import(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.parcel_import import ImportFailed, ParcelImporter

    ctx = _open(settings)
    results: list[dict[str, Any]] = []
    lines: list[str] = []
    failed = 0
    try:
        importer = ParcelImporter(ctx.db, _actor(ctx, args))
        for name in args.files:
            progress = None if args.json or not sys.stderr.isatty() else _ProgressPrinter(name)
            try:
                result = importer.import_file(
                    name,
                    kind=args.kind,
                    symbol_attribute=args.symbol_attribute,
                    plan_id=args.plan_id,
                    plan_name=args.plan_name,
                    srs_name=args.srs_name,
                    geojson_epsg=args.geojson_epsg,
                    progress=progress,
                    owners=args.owners,
                )
            except ImportFailed as exc:
                failed += 1
                results.append({"path": name, "error": str(exc)})
                lines.append(f"BŁĄD: {exc}")
                continue
            results.append(result.as_dict())
            lines.append(result.describe())
            lines.extend(
                f"  odrzucono {r.feature}"
                + (f" (wiersz {r.line})" if r.line else "")
                + f": {r.reason}"
                for r in result.rejected[:50]
            )
    finally:
        ctx.close()
    emit(args, results, "\n".join(lines))
    return 1 if failed else 0


class _ProgressPrinter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        percent = 100.0 * done / total if total else 100.0
        print(f"\r{self.name}: {percent:5.1f} %", end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)


def cmd_parcels_show(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from clerk_app.services.parcel_store import ParcelStore
    from clerk_app.services.plan_zones import zones_for_parcel

    ctx = _open(settings)
    try:
        store = ParcelStore(ctx.db)
        details = store.get(args.parcel_id)
        if details is None:
            raise ClerkError(f"Działki {args.parcel_id} nie ma w lokalnej bazie.")
        zones = zones_for_parcel(ctx.db, details.parcel_id)
        data = _details_json(details)
        data["zones"] = [
            {
                "symbol": z.symbol,
                "designation": z.designation,
                "plan_id": z.plan_id,
                "plan_name": z.plan_name,
                "share": round(z.share, 6),
                "area_m2": round(z.area_m2, 2),
            }
            for z in zones.zones
        ]
        if args.sensitive:
            sensitive = store.sensitive(_actor(ctx, args), details.parcel_id)
            data["sensitive"] = asdict(sensitive)
    finally:
        ctx.close()
    s = details.summary
    lines = [
        f"Działka {s.parcel_id}",
        f"  numer: {s.number}" + (f", arkusz {s.sheet}" if s.sheet else ""),
        f"  {s.precinct_label}",
        f"  {s.commune_label}" + (f", woj. {s.voivodeship_name}" if s.voivodeship_name else ""),
        f"  pole ewidencyjne: {_ha(s.area_ha)}",
    ]
    if details.land_use:
        lines.append("  użytki: " + ", ".join(f"{c} {_ha(a)}" for c, a in details.land_use))
    if details.addresses:
        lines.append("  adresy: " + "; ".join(details.addresses))
    for z in zones.zones:
        lines.append(f"  strefa {z.symbol}: {z.percent_label} ({z.area_m2:.0f} m²)")
    if "sensitive" in data:
        sens = data["sensitive"]
        lines.append(f"  jednostka rejestrowa: {sens['register_unit'] or '—'}")
        lines.append(f"  księga wieczysta: {sens['land_register_no'] or '—'}")
        for owner in sens["owners"]:
            where = f" — {owner['address']}" if owner["address"] else ""
            lines.append(f"  właściciel: {owner['name']} {owner['share']}".rstrip() + where)
    emit(args, data, "\n".join(lines))
    return 0


def cmd_parcels_find(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.parcel_store import ParcelStore, office_commune

    text = " ".join(args.text)
    ctx = _open(settings)
    try:
        store = ParcelStore(ctx.db, office_unit=office_commune(ctx.db))
        result = store.search(text)
    finally:
        ctx.close()
    data = {
        "query": text,
        "kind": result.input.kind.value,
        "candidates": [_summary_json(c) for c in result.candidates],
        "truncated": result.truncated,
    }
    body = "\n".join(c.label for c in result.candidates) or result.message
    emit(args, data, body)
    return 0 if result.candidates else 1


def cmd_parcels_at(args: argparse.Namespace, settings: Settings) -> int:
    import numpy as np

    from clerk_app.integrations.egib.crs import in_poland, to_working
    from clerk_app.services.parcel_store import ParcelStore

    x, y = args.x, args.y
    if args.srid != 2180:
        try:
            xs, ys = to_working(args.srid, np.array([x]), np.array([y]))
        except Exception as exc:
            raise ClerkError(f"Nieobsługiwany układ współrzędnych EPSG:{args.srid}.") from exc
        x, y = float(xs[0]), float(ys[0])
    if not in_poland(x, y):
        raise ClerkError(
            f"Punkt ({args.x:g}, {args.y:g}) w EPSG:{args.srid} leży poza Polską; sprawdź, czy "
            "współrzędne nie są zamienione miejscami."
        )
    ctx = _open(settings)
    try:
        hits = ParcelStore(ctx.db).at_point(x, y)
    finally:
        ctx.close()
    data = {"x": x, "y": y, "srid": 2180, "parcels": [_summary_json(h) for h in hits]}
    emit(args, data, "\n".join(h.label for h in hits) or "Brak działki w tym punkcie.")
    return 0 if hits else 1


def _summary_json(s: ParcelSummary) -> dict[str, Any]:
    return {
        "id": s.parcel_id,
        "number": s.number,
        "sheet": s.sheet or None,
        "precinct": {"code": s.precinct_code, "name": s.precinct_name},
        "commune": {"unit": s.unit_code, "name": s.unit_name, "county": s.county_name},
        "voivodeship": s.voivodeship_name,
        "area_ha": s.area_ha,
        "source": s.source,
    }


def _details_json(details: ParcelDetails) -> dict[str, Any]:
    import shapely

    data = _summary_json(details.summary)
    data["land_use"] = [{"class": c, "area_ha": a} for c, a in details.land_use]
    data["addresses"] = list(details.addresses)
    data["geometry_wkt"] = shapely.to_wkt(details.geometry, rounding_precision=2)
    data["geometry_area_m2"] = round(float(details.geometry.area), 2)
    data["updated_at"] = details.updated_at.isoformat()
    return data


def _ha(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f} ha".replace(".", ",")
