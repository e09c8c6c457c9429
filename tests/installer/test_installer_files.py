"""The installer files agree with the program and with each other.

The real bundle is built and smoke-tested by .ci/bundle (installer/build.py), not here.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

from clerk_app.services.backup import SUFFIX as BACKUP_SUFFIX

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "kancelaria.spec"
DESKTOP = INSTALLER / "linux" / "kancelaria.desktop"
METAINFO = INSTALLER / "linux" / "pl.kancelaria.Kancelaria.metainfo.xml"
MIME = INSTALLER / "linux" / "kancelaria-backup.xml"
ISS = INSTALLER / "windows" / "kancelaria.iss"
APP_ID = "pl.kancelaria.Kancelaria"


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kancelaria_build", INSTALLER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def spec_calls(name: str) -> list[ast.Call]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), str(SPEC))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def keyword(call: ast.Call, name: str) -> object:
    for kw in call.keywords:
        if kw.arg == name:
            return ast.literal_eval(kw.value) if isinstance(kw.value, ast.Constant) else kw.value
    raise AssertionError(f"{name} not given")


def test_spec_builds_two_executables_into_one_folder() -> None:
    names = sorted(str(keyword(call, "name")) for call in spec_calls("EXE"))
    assert names == ["clerk-app", "kancelaria"]
    (collect,) = spec_calls("COLLECT")
    assert keyword(collect, "name") == load_build_script().BUNDLE_NAME
    (analysis,) = spec_calls("Analysis")
    assert "kancelaria_main.py" in ast.unparse(analysis.args[0])
    assert (INSTALLER / "kancelaria_main.py").is_file()


def test_spec_bundles_resources_migrations_and_alembic_templates() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert 'tree(ROOT / "resources", "clerk_app/resources")' in text
    assert 'tree(PACKAGE / "migrations", "clerk_app/migrations", ("*.py", "*.mako"))' in text
    assert 'collect_data_files("alembic")' in text


def test_files_the_bundle_must_contain_exist_in_the_sources() -> None:
    """build.py refuses a bundle without these; keep the list true to the source tree."""
    build = load_build_script()
    import alembic

    sources = {
        "clerk_app/resources/": ROOT / "resources",
        "clerk_app/migrations/": ROOT / "clerk_app" / "migrations",
        "alembic/": Path(alembic.__file__).parent,
    }
    for name in build.REQUIRED_FILES:
        prefix = next(p for p in sources if name.startswith(p))
        assert (sources[prefix] / name.removeprefix(prefix)).is_file(), name
    # Every shipped migration is a file Alembic can find in the bundle.
    assert any((ROOT / "clerk_app" / "migrations" / "versions").glob("0001_*.py"))


def fake_bundle(tmp_path: Path, script: str) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    program = bundle / "clerk-app"
    program.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return bundle


@pytest.mark.skipif(sys.platform == "win32", reason="shell script stands in for the bundle")
def test_frozen_run_fails_on_stderr_output_but_allows_the_offscreen_notice(
    tmp_path: Path,
) -> None:
    build = load_build_script()
    env = build.frozen_env(tmp_path / "home")
    quiet = fake_bundle(
        tmp_path,
        "echo 'smoke test passed'\necho 'This plugin does not support propagateSizeHints()' >&2\n",
    )
    assert "smoke test passed" in build.run_frozen(quiet, ["--smoke-test"], env, 30).stdout

    shutil.rmtree(quiet)
    noisy = fake_bundle(tmp_path, "echo ok\necho 'QFont::fromString: Invalid description' >&2\n")
    with pytest.raises(build.BuildFailed, match="QFont::fromString"):
        build.run_frozen(noisy, ["--smoke-test"], env, 30)

    shutil.rmtree(noisy)
    failing = fake_bundle(tmp_path, "echo 'Traceback' ; exit 3\n")
    with pytest.raises(build.BuildFailed, match="exited with 3"):
        build.run_frozen(failing, ["--version"], env, 30)


def test_frozen_run_never_sees_the_developers_data(tmp_path: Path) -> None:
    env = load_build_script().frozen_env(tmp_path / "home")
    assert env["CLERK_DATA_DIR"].startswith(str(tmp_path))
    assert env["HOME"] == str(tmp_path / "home")
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert "CLERK_DATABASE_URL" not in env


def read_desktop() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_program_and_opens_backups() -> None:
    entry = read_desktop()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "kancelaria"
    assert entry["Icon"] == APP_ID
    assert (INSTALLER / "linux" / f"{APP_ID}.svg").is_file()
    mime = etree.parse(str(MIME)).getroot()
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    (mime_type,) = mime.findall("m:mime-type", ns)
    assert entry["MimeType"].rstrip(";") == mime_type.get("type")
    assert mime_type.find("m:glob", ns).get("pattern") == f"*{BACKUP_SUFFIX}"  # type: ignore[union-attr]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_names_the_desktop_entry_and_binaries() -> None:
    root = etree.parse(str(METAINFO)).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert {b.text for b in root.iter("binary")} == {"kancelaria", "clerk-app"}
    assert root.findtext("provides/mediatype") == read_desktop()["MimeType"].rstrip(";")
    from clerk_app import __version__

    assert __version__ in {r.get("version") for r in root.iter("release")}


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream")
def test_metainfo_validates() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def iss_section(name: str) -> str:
    text = ISS.read_text(encoding="utf-8")
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M)
    assert match, name
    return match.group(1)


def test_windows_installer_is_per_user_without_admin_rights() -> None:
    setup = iss_section("Setup")
    assert re.search(r"^PrivilegesRequired=lowest$", setup, re.M)
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    assert re.search(r"^DefaultDirName=\{autopf\}", setup, re.M)  # per-user Programs folder
    icons = iss_section("Icons")
    assert '"{autoprograms}\\{#AppName}"' in icons  # the Start menu entry


def test_windows_installer_ships_the_bundle_build_py_makes() -> None:
    text = ISS.read_text(encoding="utf-8")
    bundle_dir = re.search(r'#define BundleDir "([^"]+)"', text)
    assert bundle_dir
    relative = Path(bundle_dir.group(1).replace("\\", "/"))
    build = load_build_script()
    assert (ISS.parent / relative).resolve() == (build.DEFAULT_OUT / "dist" / build.BUNDLE_NAME)
    assert '#define AppExe "kancelaria.exe"' in text
    assert '#define CliExe "clerk-app.exe"' in text


def test_windows_backup_files_open_with_the_program() -> None:
    registry = iss_section("Registry")
    assert f'Subkey: "Software\\Classes\\{BACKUP_SUFFIX}"' in registry
    assert all(
        line.startswith("Root: HKA;")
        for line in registry.splitlines()
        if line.strip()[:1] != ";" and line.strip()
    )
    assert "ChangesAssociations=yes" in iss_section("Setup")


def test_uninstaller_keeps_user_data_unless_asked() -> None:
    code = iss_section("Code")
    assert "usPostUninstall" in code
    assert "not UninstallSilent" in code
    assert "MB_DEFBUTTON2" in code  # "No" (keep the data) is the default answer
    assert re.search(r"= IDYES then\s+DelTree", code)
    assert "{userappdata}" in code
    # The folder is the one the program uses on Windows (platformdirs, roaming).
    from clerk_app.config import APP_NAME

    assert f'#define AppName "{APP_NAME}"' in ISS.read_text(encoding="utf-8")
