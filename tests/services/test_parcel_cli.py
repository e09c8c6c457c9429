"""``clerk-app parcels import/show/find/at`` (the lead wires add_commands into cli.py)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from clerk_app import cli_parcels
from clerk_app.config import Settings

FIXTURES = Path(__file__).parents[1] / "integrations" / "egib" / "fixtures"


def _run(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk-app")
    sub = parser.add_subparsers(dest="command")
    cli_parcels.add_commands(sub)
    args = parser.parse_args(list(argv))
    return int(args.handler(args, settings))


PASSWORD = "bardzo-tajne-haslo-123"


@pytest.fixture
def embedded(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """On the embedded default the OS account acts; on a server the CLI signs in with --user."""
    if not settings.is_embedded:
        from clerk_app.models import Role
        from clerk_app.services.app_context import open_context
        from clerk_app.services.users import UserService

        ctx = open_context(settings, auto_upgrade=True)
        UserService(ctx.db).create_user("tomasz", "Tomasz", [Role.ADMIN], PASSWORD)
        ctx.close()
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return settings


def _import_args(settings: Settings) -> list[str]:
    return [] if settings.is_embedded else ["--user", "tomasz"]


def test_import_then_show_find_and_at_as_json(
    embedded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(
        embedded,
        "parcels",
        "import",
        str(FIXTURES / "wfs_dzialki_pl2000.gml"),
        str(FIXTURES / "app_2_0_zones.gml"),
        "--json",
        *_import_args(embedded),
    )
    assert code == 0
    imported = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["imported"]) for r in imported] == [("wfs", 2), ("app_zones", 2)]

    assert _run(embedded, "parcels", "show", "126103_9.8.3/9", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == "126103_9.0008.3/9"
    assert shown["precinct"] == {"code": "0008", "name": "Podgórze"}
    assert shown["commune"]["name"] == "Kraków-Podgórze"
    assert shown["area_ha"] == pytest.approx(0.4)
    assert shown["geometry_wkt"].startswith("POLYGON ((")
    # The parcel lies in the general plan's 1SJ zone (same PL-2000 square of the fixtures).
    assert [(z["symbol"], z["share"]) for z in shown["zones"]] == [("1SJ", 1.0)]

    assert _run(embedded, "parcels", "find", "Podgórze", "4", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert [(c["id"], c["sheet"]) for c in found["candidates"]] == [("126103_9.0008.4", "2")]

    x, y = shown["geometry_wkt"].split("((")[1].split(",")[0].split()
    assert _run(embedded, "parcels", "at", str(float(x) + 1), str(float(y) + 1), "--json") == 0
    at = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in at["parcels"]] == ["126103_9.0008.3/9"]


def test_failed_file_is_reported_and_the_exit_code_says_so(
    embedded: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "zle.gml"
    bad.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x/>', encoding="utf-8")
    args = ["parcels", "import", str(bad), "--kind", "egib", *_import_args(embedded)]
    assert _run(embedded, *args) == 1
    assert "DOCTYPE" in capsys.readouterr().out


def test_show_unknown_parcel_is_a_clerk_error(embedded: Settings) -> None:
    from clerk_app.errors import ClerkError

    with pytest.raises(ClerkError, match="nie ma w lokalnej bazie"):
        _run(embedded, "parcels", "show", "141201_1.0001.5")


def test_point_outside_poland(embedded: Settings) -> None:
    from clerk_app.errors import ClerkError

    with pytest.raises(ClerkError, match="poza Polską"):
        _run(embedded, "parcels", "at", "52.2", "21.0", "--srid", "4326")
