"""First run: the office, its units, the first administrator and the JRWA plan in one step."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from clerk_app.config import load_settings
from clerk_app.errors import ConnectionFailed, SecretStoreUnavailable, ValidationError
from clerk_app.models import AuditEvent, JrwaClass, JrwaPlan, Office, OrgUnit, Role, User
from clerk_app.services import audit
from clerk_app.services.app_context import open_context
from clerk_app.services.schema import SchemaState
from clerk_app.services.setup_office import (
    AdminSpec,
    DatabaseChoice,
    JrwaChoice,
    JrwaSource,
    OfficeDetails,
    OfficeSetup,
    UnitSpec,
    complete_first_run,
    is_first_run,
    probe_server,
    read_logo,
    server_url,
    setup_office,
    validate_admin,
    validate_office,
    validate_units,
)
from clerk_app.services.users import UserService

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
PG_URL = os.environ.get("CLERK_TEST_DATABASE_URL", "")
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def office_setup(**changes: object) -> OfficeSetup:
    values: dict[str, object] = {
        "office": OfficeDetails(
            name="Urząd Gminy Brzezina",
            city="Brzezina",
            street="Rynek",
            building="1",
            postal_code="62-100",
            teryt="3021044",
            email="sekretariat@brzezina.example.pl",
        ),
        "units": (UnitSpec("OR", "Referat Organizacyjny"), UnitSpec("UA-A", "Zespół planowania")),
        "admin": AdminSpec(
            "t.zielinski",
            "Tomasz Zieliński",
            "informatyk",
            password="bardzo-tajne-1",
            unit_symbol="OR",
        ),
        "jrwa": JrwaChoice(JrwaSource.SHIPPED, valid_from_year=2026),
        "logo": PNG_1PX,
    }
    values.update(changes)
    return OfficeSetup(**values)  # type: ignore[arg-type]


def test_setup_writes_office_units_admin_and_plan_in_one_audited_step(ctx) -> None:  # type: ignore[no-untyped-def]
    result = setup_office(ctx.db, ctx.blobs, office_setup())

    with ctx.db.session() as session:
        office = session.scalars(select(Office)).one()
        assert office.name == "Urząd Gminy Brzezina"
        assert office.postal_code == "62-100"
        assert ctx.blobs.get(session, office.logo_sha256) == PNG_1PX
        units = {u.symbol: u.name for u in session.scalars(select(OrgUnit))}
        assert units == {"OR": "Referat Organizacyjny", "UA-A": "Zespół planowania"}
        admin = session.scalars(select(User).where(User.login == "t.zielinski")).one()
        assert admin.role_set == {Role.ADMIN}
        assert admin.unit_id == result.unit_ids["OR"]
        plan = session.scalars(select(JrwaPlan)).one()
        assert plan.valid_from_year == 2026
        assert result.jrwa_classes == session.scalar(select(func.count()).select_from(JrwaClass))
        assert result.jrwa_classes > 10
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.object_type, e.user_login) for e in events] == [
            ("office", "t.zielinski"),
            ("org_unit", "t.zielinski"),
            ("org_unit", "t.zielinski"),
            ("user", "t.zielinski"),
            ("jrwa_plan", "t.zielinski"),
        ]
        assert audit.verify_chain(session).ok
    # The administrator signs in with the password chosen in the wizard.
    assert UserService(ctx.db).sign_in("t.zielinski", "bardzo-tajne-1").roles == {Role.ADMIN}


def test_a_failure_late_in_the_setup_leaves_nothing_behind(ctx) -> None:  # type: ignore[no-untyped-def]
    # A plan for that year exists: the office, units and admin must not be written either.
    from clerk_app.services.jrwa_store import import_jrwa_plan

    with ctx.db.session(write=True) as session:
        import_jrwa_plan(session, 2026)
    with pytest.raises(ValidationError, match="od roku 2026 już istnieje"):
        setup_office(ctx.db, ctx.blobs, office_setup())
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Office)) == 0
        assert session.scalar(select(func.count()).select_from(OrgUnit)) == 0
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert list(ctx.blobs.iter_hashes(session)) == []


def test_the_office_is_set_up_only_once(ctx) -> None:  # type: ignore[no-untyped-def]
    setup_office(ctx.db, ctx.blobs, office_setup(jrwa=JrwaChoice(JrwaSource.NONE)))
    with pytest.raises(ValidationError, match=r"już skonfigurowany.*Brzezina"):
        setup_office(ctx.db, ctx.blobs, office_setup(jrwa=JrwaChoice(JrwaSource.NONE)))


def test_own_jrwa_csv_is_imported_and_a_broken_one_names_the_line(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "jrwa_powiat.csv"
    good.write_text(
        "symbol;title;category_lead;category_other\n"
        "0;Zarządzanie;;\n00;Organy;;\n000;Wybory;A;Bc\n",
        encoding="utf-8",
    )
    bad = tmp_path / "zly.csv"
    bad.write_text(
        "symbol;title;category_lead;category_other\n0;Zarządzanie;;\n00;Organy;X;Bc\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ValidationError, match=r"(?s)Plik JRWA „zly\.csv” zawiera błędy.*wiersz 3: klasa 00"
    ):
        setup_office(ctx.db, ctx.blobs, office_setup(jrwa=JrwaChoice(JrwaSource.FILE, bad, 2026)))
    result = setup_office(
        ctx.db, ctx.blobs, office_setup(jrwa=JrwaChoice(JrwaSource.FILE, good, 2026))
    )
    assert result.jrwa_classes == 3
    with ctx.db.session() as session:
        assert session.scalars(select(JrwaPlan.name)).one() == "jrwa_powiat"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (OfficeDetails(name=" ", city="Brzezina"), "Nazwa urzędu: pole jest wymagane"),
        (OfficeDetails(name="UG", city=""), "Miejscowość: pole jest wymagane"),
        (OfficeDetails(name="UG", city="B", postal_code="62100"), "Kod pocztowy"),
        (OfficeDetails(name="UG", city="B", teryt="12"), "Kod TERYT gminy: wpisz 7 cyfr"),
        (OfficeDetails(name="UG", city="B", regon="12345"), "REGON: wpisz 9 albo 14 cyfr"),
        (OfficeDetails(name="UG", city="B", email="sekretariat"), "E-mail"),
    ],
)
def test_office_fields_are_checked_by_name(details: OfficeDetails, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_office(details)


def test_office_digits_are_normalised() -> None:
    cleaned = validate_office(OfficeDetails(name=" UG ", city="B", nip="778-140-45-58"))
    assert (cleaned.name, cleaned.nip) == ("UG", "7781404558")


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([], "co najmniej jedną komórkę"),
        ([UnitSpec("", "")], "co najmniej jedną komórkę"),
        ([UnitSpec("OR", "Organizacyjny"), UnitSpec("or", "Drugi")], "Komórka 2.*powtarza"),
        ([UnitSpec("12", "Cyfry")], "co najmniej jedną literę"),
        ([UnitSpec("GK.A", "Kropka")], "tylko litery i cyfry"),
        ([UnitSpec("GK-", "Łącznik")], "pusty człon"),
        ([UnitSpec("GK", "")], r"Komórka 1 \(GK\), nazwa: pole jest wymagane"),
    ],
)
def test_unit_symbols_follow_the_case_sign_rules(units: list[UnitSpec], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_units(units)


def test_empty_rows_of_the_units_table_are_skipped() -> None:
    assert validate_units([UnitSpec(" UA ", "Urbanistyka"), UnitSpec("", " ")]) == (
        UnitSpec("UA", "Urbanistyka"),
    )


def test_admin_password_rules() -> None:
    admin = AdminSpec("t.zielinski", "Tomasz Zieliński", password="krótkie")
    with pytest.raises(ValidationError, match="Hasło administratora: co najmniej 10"):
        validate_admin(admin, password_required=True)
    with pytest.raises(ValidationError, match="Hasło administratora: pole jest wymagane"):
        validate_admin(AdminSpec("t.z", "T Z"), password_required=True)
    with pytest.raises(ValidationError, match="Powtórz hasło"):
        validate_admin(
            AdminSpec("t.z", "T Z", password="dlugie-haslo-1"),
            password_required=True,
            repeated_password="dlugie-haslo-2",
        )
    with pytest.raises(ValidationError, match="Login administratora „tomasz z”"):
        validate_admin(AdminSpec("tomasz z", "T Z"), password_required=False)
    assert validate_admin(AdminSpec("t.z", "T Z"), password_required=False).password is None


def test_logo_must_be_png_or_jpeg(tmp_path: Path) -> None:
    png = tmp_path / "herb.png"
    png.write_bytes(PNG_1PX)
    assert read_logo(png) == PNG_1PX
    text = tmp_path / "herb.png.txt"
    text.write_text("nie obraz", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"Logo: plik „herb\.png\.txt” nie jest obrazem"):
        read_logo(text)
    with pytest.raises(ValidationError, match="Logo: nie można odczytać"):
        read_logo(tmp_path / "brak.png")


def test_server_url_fields_are_checked_by_name() -> None:
    choice = DatabaseChoice(False, "serwer", 5432, "urzad", "kancelaria", "sekret", "kanc_2026")
    url = server_url(choice)
    assert url.password == "sekret"
    assert url.query == {"options": "-csearch_path=kanc_2026"}
    assert server_url(choice, with_password=False).password is None
    for changes, message in [
        ({"host": ""}, "Serwer: wpisz"),
        ({"port": 0}, "Port: wpisz liczbę"),
        ({"database": " "}, "Baza danych: wpisz"),
        ({"user": ""}, "Użytkownik: wpisz"),
        ({"schema": "Kanc; DROP"}, "Schemat"),
    ]:
        fields = {**choice.__dict__, **changes}
        with pytest.raises(ValidationError, match=message):
            server_url(DatabaseChoice(**fields))  # type: ignore[arg-type]


def test_first_run_is_only_a_new_default_installation(data_dir: Path) -> None:
    settings = load_settings(data_dir=data_dir, env={})
    assert is_first_run(settings)
    flagged = load_settings(data_dir=data_dir, database_url=LOCAL_PG, env={})
    assert not is_first_run(flagged)
    data_dir.mkdir(parents=True)
    (data_dir / "kancelaria.sqlite").write_bytes(b"")
    assert not is_first_run(settings)


def test_complete_first_run_embedded_writes_office_then_settings(data_dir: Path) -> None:
    setup = office_setup(admin=AdminSpec("urzednik", "Jan Urzędnik"), jrwa=JrwaChoice())
    result = complete_first_run(data_dir, DatabaseChoice(), setup=setup, language="pl")

    assert result.office_name == "Urząd Gminy Brzezina"
    assert result.settings_path.read_text(encoding="utf-8").count("=") == 1  # language only
    settings = load_settings(data_dir=data_dir, env={})
    assert settings.is_embedded and not is_first_run(settings)
    ctx = open_context(settings)
    try:
        # The OS-account user of the embedded default is the administrator created here.
        user = UserService(ctx.db).os_account_user(login="urzednik")
        assert user.full_name == "Jan Urzędnik"
        with ctx.db.session() as session:
            office = session.scalars(select(Office)).one()
            assert ctx.blobs.get(session, office.logo_sha256) == PNG_1PX
    finally:
        ctx.close()


def test_failed_first_run_does_not_write_settings(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "zly.csv"
    bad.write_text("nie;jest;wykazem\n", encoding="utf-8")
    setup = office_setup(jrwa=JrwaChoice(JrwaSource.FILE, bad, 2026))
    with pytest.raises(ValidationError, match="Plik JRWA"):
        complete_first_run(data_dir, DatabaseChoice(), setup=setup)
    assert not (data_dir / "settings.toml").exists()
    assert is_first_run(load_settings(data_dir=data_dir, env={}))


def test_demo_first_run_fills_the_sample_office(data_dir: Path) -> None:
    result = complete_first_run(data_dir, DatabaseChoice(), demo=True)
    assert result.office_name == "Urząd Gminy Zielona Dolina"
    assert result.setup is None and result.demo
    with pytest.raises(ValidationError, match="wybierz je albo własny urząd"):
        complete_first_run(data_dir, DatabaseChoice(), demo=True, setup=office_setup())


# --- PostgreSQL: probe and finish against the local server -------------------------


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema on the local server (the wizard's tests need the server on SQLite too)."""
    base = PG_URL or LOCAL_PG
    admin = create_engine(base)
    schema = f"w_{uuid.uuid4().hex[:16]}"
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # pragma: no cover - only without a local server
        admin.dispose()
        pytest.skip(f"no local PostgreSQL server: {exc}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def pg_choice(schema: str, **changes: object) -> DatabaseChoice:
    url = make_url(PG_URL or LOCAL_PG)
    fields: dict[str, object] = {
        "embedded": False,
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "database": url.database or "test",
        "user": url.username or "postgres",
        "password": url.password or "",
        "schema": schema,
    }
    fields.update(changes)
    return DatabaseChoice(**fields)  # type: ignore[arg-type]


def test_probe_reports_an_empty_database_then_the_office(pg_schema: str, data_dir: Path) -> None:
    probe = probe_server(pg_choice(pg_schema))
    assert probe.state is SchemaState.EMPTY and not probe.has_office
    result = complete_first_run(
        data_dir,
        pg_choice(pg_schema, password="haslo-bazy-123"),
        setup=office_setup(),
        store_password_in_file=True,  # tests run without an OS keyring
    )
    assert result.database.startswith("PostgreSQL: ")
    probe = probe_server(pg_choice(pg_schema))
    assert probe.state is SchemaState.CURRENT
    assert probe.office_name == "Urząd Gminy Brzezina"

    saved = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert f"search_path%3D{pg_schema}" in saved and "haslo-bazy-123" not in saved
    assert "insecure_secret_file = true" in saved
    # The program finds the password in the secret store and the office in the database.
    settings = load_settings(data_dir=data_dir, env={})
    from clerk_app.services.database import resolve_url

    assert resolve_url(settings).password == "haslo-bazy-123"
    ctx = open_context(settings)
    try:
        assert UserService(ctx.db).sign_in("t.zielinski", "bardzo-tajne-1").login == "t.zielinski"
    finally:
        ctx.close()


def test_second_workstation_joins_the_office_on_the_server(
    pg_schema: str, data_dir: Path, tmp_path: Path
) -> None:
    complete_first_run(data_dir, pg_choice(pg_schema), setup=office_setup())
    other = tmp_path / "second-pc"
    result = complete_first_run(other, pg_choice(pg_schema))
    assert result.office_name == "Urząd Gminy Brzezina" and result.setup is None
    assert not is_first_run(load_settings(data_dir=other, env={}))


def test_joining_a_server_without_an_office_is_refused(pg_schema: str, data_dir: Path) -> None:
    with pytest.raises(ValidationError, match="nie ma jeszcze skonfigurowanego urzędu"):
        complete_first_run(data_dir, pg_choice(pg_schema))
    assert not (data_dir / "settings.toml").exists()


def test_password_without_keyring_needs_consent(pg_schema: str, data_dir: Path) -> None:
    with pytest.raises(SecretStoreUnavailable, match="Hasło do bazy"):
        complete_first_run(data_dir, pg_choice(pg_schema, password="x" * 12), setup=office_setup())
    assert not (data_dir / "settings.toml").exists()
    assert probe_server(pg_choice(pg_schema)).state is SchemaState.EMPTY


def test_wrong_user_and_unreachable_server_get_clear_messages(pg_schema: str) -> None:
    with pytest.raises(ConnectionFailed, match="nieprawidłowy użytkownik lub hasło"):
        probe_server(pg_choice(pg_schema, user="nie_ma_takiego", password="zle-haslo"))
    with pytest.raises(ConnectionFailed, match=r"127\.0\.0\.1:1: serwer nie odpowiada"):
        probe_server(pg_choice(pg_schema, host="127.0.0.1", port=1))
    with pytest.raises(ConnectionFailed, match="baza „nie_ma_bazy” nie istnieje"):
        probe_server(pg_choice(pg_schema, database="nie_ma_bazy"))
    with pytest.raises(ConnectionFailed, match="Schemat „nie_ma_schematu” nie istnieje"):
        probe_server(pg_choice("nie_ma_schematu"))


def test_wrong_password_message_from_the_server() -> None:
    from sqlalchemy.exc import OperationalError

    from clerk_app.services.setup_office import _connection_message

    exc = OperationalError(
        "connect", {}, Exception('FATAL:  password authentication failed for user "kanc"')
    )
    url = server_url(DatabaseChoice(False, "serwer.urzad.local", 5432, "urzad", "kanc", "x"))
    assert _connection_message(url, exc) == (
        "Nie można połączyć się z bazą danych serwer.urzad.local:5432: "
        "nieprawidłowy użytkownik lub hasło."
    )
