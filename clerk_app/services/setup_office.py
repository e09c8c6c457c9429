"""First run: choose the database, describe the office, its units and first administrator.

The first-run wizard (``clerk_app.ui.wizard``) collects the answers and hands
them here. Everything about the office is written in ONE transaction
(``setup_office``): the office with its letterhead logo, the units, the first
administrator and the JRWA file plan, each audited; a failure leaves nothing
behind. ``complete_first_run`` then remembers the database in ``settings.toml``
(the password goes to the system keyring, never into the file).

A second workstation of an office that already works on the PostgreSQL server
runs the same wizard: ``probe_server`` finds the office there and the wizard
only saves the connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from clerk_app.config import (
    LANGUAGES,
    SETTINGS_FILE,
    Settings,
    default_database_url,
    read_settings_file,
    write_settings_file,
)
from clerk_app.errors import ConnectionFailed, SecretStoreUnavailable, ValidationError
from clerk_app.models import JrwaClass, Office, OrgUnit, Role, User, UserRole
from clerk_app.services.blob_store import BlobStore
from clerk_app.services.database import Database, create_db_engine, describe_connection_error
from clerk_app.services.schema import SchemaState, schema_state
from clerk_app.services.users import ALL_ROLES, MIN_PASSWORD_LENGTH, CurrentUser, hash_password

if TYPE_CHECKING:
    from clerk_app.services.jrwa_import import JrwaPlan

# Start-up asks is_first_run() on every start: audit and the JRWA reader load only when used.

# Letterheads scale the logo down; a bigger file is almost surely a scan by mistake.
LOGO_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_PG_PORT = 5432
PG_CONNECT_TIMEOUT_S = 10

_POSTAL_CODE = re.compile(r"[0-9]{2}-[0-9]{3}")
_LOGIN = re.compile(r"[A-Za-z0-9._@-]{1,100}")
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"

ProgressFn = Callable[[int, int], None]
# On the server the first administrator manages the office; clerks get their roles later.
SERVER_ADMIN_ROLES = frozenset({Role.ADMIN})


# --- what the wizard collects -------------------------------------------------


@dataclass(frozen=True)
class OfficeDetails:
    """The office (urząd) as printed in letterheads."""

    name: str
    city: str
    short_name: str = ""
    street: str = ""
    building: str = ""
    postal_code: str = ""
    teryt: str = ""
    nip: str = ""
    regon: str = ""
    phone: str = ""
    email: str = ""
    epuap_address: str = ""
    ade: str = ""


@dataclass(frozen=True)
class UnitSpec:
    """An organisational unit (komórka organizacyjna) with its case-sign symbol."""

    symbol: str
    name: str


@dataclass(frozen=True)
class AdminSpec:
    """The first administrator. Password None: an OS-account user of the embedded default."""

    login: str
    full_name: str
    position: str = ""
    email: str = ""
    password: str | None = None
    unit_symbol: str | None = None


class JrwaSource(StrEnum):
    SHIPPED = "shipped"  # the commune-office subset shipped with the program
    FILE = "file"  # a CSV file of the office's own plan
    NONE = "none"  # import later


@dataclass(frozen=True)
class JrwaChoice:
    source: JrwaSource = JrwaSource.SHIPPED
    path: Path | None = None
    valid_from_year: int = field(default_factory=lambda: date.today().year)


@dataclass(frozen=True)
class OfficeSetup:
    office: OfficeDetails
    units: tuple[UnitSpec, ...]
    admin: AdminSpec
    admin_roles: frozenset[Role] = SERVER_ADMIN_ROLES
    jrwa: JrwaChoice = field(default_factory=JrwaChoice)
    logo: bytes | None = None


@dataclass(frozen=True)
class SetupResult:
    office_id: int
    office_name: str
    unit_ids: dict[str, int]
    admin: CurrentUser
    jrwa_plan_id: int | None
    jrwa_classes: int


@dataclass(frozen=True)
class DatabaseChoice:
    """Embedded SQLite in the data folder, or the office PostgreSQL server."""

    embedded: bool = True
    host: str = ""
    port: int = DEFAULT_PG_PORT
    database: str = ""
    user: str = ""
    password: str = ""
    schema: str = ""  # empty: the server's default search path (public)


@dataclass(frozen=True)
class ConnectionProbe:
    description: str
    state: SchemaState
    office_name: str | None  # an office already set up in that database

    @property
    def has_office(self) -> bool:
        return self.office_name is not None


@dataclass(frozen=True)
class FirstRunResult:
    settings_path: Path
    database: str
    office_name: str
    setup: SetupResult | None
    demo: bool


# --- validation (each message names the field) --------------------------------


def _required(value: str, label: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(f"{label}: pole jest wymagane.")
    return _limited(value, label, max_length)


def _limited(value: str, label: str, max_length: int) -> str:
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(f"{label}: najwyżej {max_length} znaków (jest {len(value)}).")
    return value


def _digits(value: str, label: str, lengths: tuple[int, ...]) -> str:
    value = value.strip().replace(" ", "").replace("-", "")
    if value and not (value.isascii() and value.isdigit() and len(value) in lengths):
        wanted = " albo ".join(str(n) for n in lengths)
        raise ValidationError(f"{label}: wpisz {wanted} cyfr.")
    return value


def validate_office(details: OfficeDetails) -> OfficeDetails:
    """The details cleaned up (trimmed, digits only); raises ValidationError naming the field."""
    postal = details.postal_code.strip()
    if postal and not _POSTAL_CODE.fullmatch(postal):
        raise ValidationError("Kod pocztowy: wpisz w postaci 00-000.")
    email = _limited(details.email, "E-mail", 200)
    if email and ("@" not in email or " " in email):
        raise ValidationError(f"E-mail: „{email}” nie jest adresem e-mail.")
    return OfficeDetails(
        name=_required(details.name, "Nazwa urzędu", 300),
        city=_required(details.city, "Miejscowość", 100),
        short_name=_limited(details.short_name, "Nazwa skrócona", 100),
        street=_limited(details.street, "Ulica", 200),
        building=_limited(details.building, "Numer budynku", 20),
        postal_code=postal,
        teryt=_digits(details.teryt, "Kod TERYT gminy", (7,)),
        nip=_digits(details.nip, "NIP", (10,)),
        regon=_digits(details.regon, "REGON", (9, 14)),
        phone=_limited(details.phone, "Telefon", 40),
        email=email,
        epuap_address=_limited(details.epuap_address, "Adres skrytki ePUAP", 200),
        ade=_limited(details.ade, "Adres do e-Doręczeń", 100),
    )


def _check_unit_symbol(symbol: str, row: int) -> None:
    where = f"Komórka {row}, symbol"
    if not symbol:
        raise ValidationError(f"{where}: pole jest wymagane.")
    if len(symbol) > 20:
        raise ValidationError(f"{where} „{symbol}”: najwyżej 20 znaków.")
    segments = symbol.split("-")
    if any(not s for s in segments):
        raise ValidationError(
            f"{where} „{symbol}”: pusty człon (łącznik na początku, na końcu lub podwójny)."
        )
    for segment in segments:
        if not all(ch.isalpha() or (ch.isascii() and ch.isdigit()) for ch in segment):
            raise ValidationError(
                f"{where} „{symbol}”: tylko litery i cyfry; podkomórkę dołącza się łącznikiem, "
                "np. GK-A."
            )
    if not any(ch.isalpha() for ch in symbol):
        raise ValidationError(f"{where} „{symbol}”: musi zawierać co najmniej jedną literę.")


def validate_units(units: Sequence[UnitSpec]) -> tuple[UnitSpec, ...]:
    """At least one unit; symbols follow the case-sign grammar and do not repeat."""
    cleaned: list[UnitSpec] = []
    seen: dict[str, int] = {}
    for row, unit in enumerate(units, start=1):
        symbol = unit.symbol.strip()
        name = unit.name.strip()
        if not symbol and not name:
            continue  # an empty row left in the table
        _check_unit_symbol(symbol, row)
        name = _required(name, f"Komórka {row} ({symbol}), nazwa", 200)
        key = symbol.upper()
        if key in seen:
            raise ValidationError(
                f"Komórka {row}, symbol „{symbol}”: powtarza symbol komórki {seen[key]}."
            )
        seen[key] = row
        cleaned.append(UnitSpec(symbol, name))
    if not cleaned:
        raise ValidationError("Komórki organizacyjne: dodaj co najmniej jedną komórkę.")
    return tuple(cleaned)


def validate_admin(
    admin: AdminSpec, *, password_required: bool, repeated_password: str | None = None
) -> AdminSpec:
    login = admin.login.strip()
    if not login:
        raise ValidationError("Login administratora: pole jest wymagane.")
    if not _LOGIN.fullmatch(login):
        raise ValidationError(
            f"Login administratora „{login}”: tylko litery bez polskich znaków, cyfry "
            "i znaki . _ - @, bez spacji."
        )
    full_name = _required(admin.full_name, "Imię i nazwisko administratora", 200)
    password = admin.password or None
    if password_required and password is None:
        raise ValidationError("Hasło administratora: pole jest wymagane.")
    if password is not None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(
                f"Hasło administratora: co najmniej {MIN_PASSWORD_LENGTH} znaków."
            )
        if repeated_password is not None and repeated_password != password:
            raise ValidationError("Powtórz hasło: hasła się różnią.")
    return AdminSpec(
        login=login,
        full_name=full_name,
        position=_limited(admin.position, "Stanowisko administratora", 200),
        email=_limited(admin.email, "E-mail administratora", 200),
        password=password,
        unit_symbol=(admin.unit_symbol or "").strip() or None,
    )


def read_logo(path: Path) -> bytes:
    """The logo file for letterheads: a PNG or JPEG image of at most 5 MiB."""
    try:
        size = path.stat().st_size
        if size > LOGO_MAX_BYTES:
            raise ValidationError(
                f"Logo: plik „{path.name}” ma {size // 1024} KiB, dopuszczalne "
                f"{LOGO_MAX_BYTES // 1024} KiB."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Logo: nie można odczytać pliku „{path}”.") from exc
    check_logo(data, path.name)
    return data


def check_logo(data: bytes, name: str = "logo") -> None:
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(f"Logo: plik „{name}” jest za duży.")
    if not (data.startswith(_PNG_MAGIC) or data.startswith(_JPEG_MAGIC)):
        raise ValidationError(f"Logo: plik „{name}” nie jest obrazem PNG ani JPEG.")


def load_jrwa_choice(choice: JrwaChoice) -> JrwaPlan | None:
    """Read and validate the chosen plan before any transaction opens."""
    from clerk_app.services.jrwa_import import JrwaImportError, load_jrwa_csv

    if not 2000 <= choice.valid_from_year <= 2100:
        raise ValidationError("JRWA, obowiązuje od roku: wpisz rok od 2000 do 2100.")
    if choice.source is JrwaSource.NONE:
        return None
    if choice.source is JrwaSource.SHIPPED:
        from clerk_app.resources_path import resource_path
        from clerk_app.services.jrwa_store import SHIPPED_PLAN

        path = resource_path(*SHIPPED_PLAN)
    elif choice.path is None:
        raise ValidationError("Plik JRWA: wskaż plik CSV z wykazem akt.")
    else:
        path = choice.path
    try:
        return load_jrwa_csv(path)
    except JrwaImportError as exc:
        message = str(exc).replace("Plik JRWA", f"Plik JRWA „{path.name}”", 1)
        raise ValidationError(message) from exc
    except OSError as exc:
        raise ValidationError(f"Plik JRWA: nie można odczytać pliku „{path}”.") from exc


# --- the database ---------------------------------------------------------------


def server_url(choice: DatabaseChoice, *, with_password: bool = True) -> URL:
    """The PostgreSQL URL of the choice; raises ValidationError naming the wrong field."""
    host = choice.host.strip()
    database = choice.database.strip()
    user = choice.user.strip()
    schema = choice.schema.strip()
    if not host:
        raise ValidationError("Serwer: wpisz nazwę lub adres IP serwera PostgreSQL.")
    if any(ch.isspace() for ch in host) or "/" in host:
        raise ValidationError(f"Serwer: „{host}” nie jest nazwą ani adresem serwera.")
    if not 1 <= choice.port <= 65535:
        raise ValidationError("Port: wpisz liczbę od 1 do 65535 (zwykle 5432).")
    if not database:
        raise ValidationError("Baza danych: wpisz nazwę bazy na serwerze.")
    if not user:
        raise ValidationError("Użytkownik: wpisz nazwę użytkownika bazy danych.")
    if schema and not _SCHEMA.fullmatch(schema):
        raise ValidationError(
            f"Schemat „{schema}”: tylko małe litery bez polskich znaków, cyfry i _."
        )
    query = {"options": f"-csearch_path={schema}"} if schema else {}
    return URL.create(
        "postgresql+psycopg",
        username=user,
        password=(choice.password or None) if with_password else None,
        host=host,
        port=choice.port,
        database=database,
        query=query,
    )


def _connection_message(url: URL, exc: Exception) -> str:
    detail = str(getattr(exc, "orig", exc)).lower()
    if "role" in detail and "does not exist" in detail:
        # Same words as a wrong password: do not tell a stranger which logins exist.
        where = f"{url.host}:{url.port or DEFAULT_PG_PORT}"
        return f"Nie można połączyć się z bazą danych {where}: nieprawidłowy użytkownik lub hasło."
    return describe_connection_error(url, exc)


def probe_server(choice: DatabaseChoice) -> ConnectionProbe:
    """Connect to the server and look inside: schema version and an office already set up.

    Raises ConnectionFailed with a Polish message (wrong credentials, unreachable host,
    missing database or schema).
    """
    url = server_url(choice)
    engine = create_db_engine(url)
    try:
        try:
            with engine.connect() as conn:
                current_schema = conn.execute(text("SELECT current_schema()")).scalar()
        except (OperationalError, DBAPIError) as exc:
            raise ConnectionFailed(_connection_message(url, exc)) from exc
        if current_schema is None:
            wanted = choice.schema.strip() or "public"
            raise ConnectionFailed(
                f"Schemat „{wanted}” nie istnieje w bazie „{url.database}”: administrator "
                f"serwera musi go utworzyć (CREATE SCHEMA {wanted})."
            )
        db = Database(engine)
        state = schema_state(engine)
        office = None
        if state in (SchemaState.CURRENT, SchemaState.OUTDATED):
            with db.session() as session:
                office = session.scalar(select(Office.name).order_by(Office.id).limit(1))
        return ConnectionProbe(db.describe(), state, office)
    finally:
        engine.dispose()


def office_name(db: Database) -> str | None:
    """The configured office's name, or None when the database has none yet."""
    with db.session() as session:
        return session.scalar(select(Office.name).order_by(Office.id).limit(1))


# --- writing the office -----------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    office: OfficeDetails
    units: tuple[UnitSpec, ...]
    admin: AdminSpec
    plan: JrwaPlan | None


def validate_setup(setup: OfficeSetup) -> None:
    """Check every answer (and read the JRWA file) without touching any database."""
    _prepare(setup)


def _prepare(setup: OfficeSetup) -> _Prepared:
    details = validate_office(setup.office)
    units = validate_units(setup.units)
    admin = validate_admin(setup.admin, password_required=False)
    symbols = {u.symbol for u in units}
    if admin.unit_symbol is not None and admin.unit_symbol not in symbols:
        raise ValidationError(
            f"Komórka administratora: „{admin.unit_symbol}” nie ma na liście komórek."
        )
    if not setup.admin_roles:
        raise ValidationError("Role administratora: wybierz co najmniej jedną rolę.")
    if setup.logo is not None:
        check_logo(setup.logo)
    return _Prepared(details, units, admin, load_jrwa_choice(setup.jrwa))


def setup_office(db: Database, blobs: BlobStore, setup: OfficeSetup) -> SetupResult:
    """Office, logo, units, first administrator and JRWA plan: one audited transaction."""
    from clerk_app.services import audit

    prepared = _prepare(setup)
    details, units, admin, plan = (
        prepared.office,
        prepared.units,
        prepared.admin,
        prepared.plan,
    )
    with db.session(write=True) as session:
        _lock_office_table(session)
        existing = session.scalar(select(Office.name).order_by(Office.id).limit(1))
        if existing is not None:
            raise ValidationError(f"Urząd jest już skonfigurowany w tej bazie: „{existing}”.")
        if session.scalar(select(User.id).where(User.login == admin.login)) is not None:
            raise ValidationError(f"Login administratora: użytkownik „{admin.login}” już istnieje.")

        logo_sha = blobs.put(session, setup.logo).sha256 if setup.logo is not None else None
        office = Office(
            name=details.name,
            short_name=details.short_name,
            street=details.street,
            building=details.building,
            postal_code=details.postal_code,
            city=details.city,
            teryt=details.teryt,
            nip=details.nip,
            regon=details.regon,
            phone=details.phone,
            email=details.email,
            epuap_address=details.epuap_address,
            ade=details.ade,
            logo_sha256=logo_sha,
        )
        session.add(office)
        session.flush()
        unit_rows = [OrgUnit(office_id=office.id, symbol=u.symbol, name=u.name) for u in units]
        session.add_all(unit_rows)
        session.flush()
        unit_ids = {row.symbol: row.id for row in unit_rows}

        user = User(
            login=admin.login,
            full_name=admin.full_name,
            position=admin.position,
            email=admin.email,
            unit_id=unit_ids[admin.unit_symbol] if admin.unit_symbol else None,
            password_hash=hash_password(admin.password) if admin.password else None,
        )
        user.roles = [UserRole(role=r) for r in sorted(setup.admin_roles)]
        session.add(user)
        session.flush()
        actor = CurrentUser(user.id, user.login, user.full_name, user.role_set)

        audit.record(
            session,
            actor,
            "create",
            "office",
            office.id,
            summary=f"Pierwsze uruchomienie: urząd „{office.name}”",
            details={"city": office.city, "logo_sha256": logo_sha},
        )
        for row in unit_rows:
            audit.record(
                session, actor, "create", "org_unit", row.id, summary=f"{row.symbol} – {row.name}"
            )
        audit.record(
            session,
            actor,
            "create",
            "user",
            user.id,
            summary=f"Pierwszy administrator: {user.login}",
            details={"roles": sorted(r.value for r in setup.admin_roles)},
        )

        plan_id: int | None = None
        classes = 0
        if plan is not None:
            from clerk_app.services.jrwa_store import store_jrwa_plan

            name = (
                "JRWA urzędu gminy (wybór)"
                if setup.jrwa.source is JrwaSource.SHIPPED or setup.jrwa.path is None
                else setup.jrwa.path.stem
            )
            plan_id = store_jrwa_plan(session, plan, setup.jrwa.valid_from_year, name)
            classes = len(
                session.scalars(select(JrwaClass.id).where(JrwaClass.plan_id == plan_id)).all()
            )
            audit.record(
                session,
                actor,
                "import",
                "jrwa_plan",
                plan_id,
                summary=f"{name}, od roku {setup.jrwa.valid_from_year}: {classes} klas",
            )
        return SetupResult(office.id, office.name, unit_ids, actor, plan_id, classes)


def _lock_office_table(session: Session) -> None:
    """Two administrators finishing the wizard at once must not create two offices.

    SQLite: the write transaction (BEGIN IMMEDIATE) already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE office IN SHARE ROW EXCLUSIVE MODE"))


# --- finishing the first run ----------------------------------------------------


def is_first_run(settings: Settings) -> bool:
    """No settings file and the default embedded database does not exist yet.

    A database given by flag or environment, or a pre-deployed settings.toml,
    means someone already decided; the wizard is then not shown.
    """
    if settings.sources.get("database_url", "default") != "default":
        return False
    if settings.settings_path.exists():
        return False
    path = settings.sqlite_path
    return path is not None and not path.exists()


def complete_first_run(
    data_dir: Path,
    choice: DatabaseChoice,
    *,
    setup: OfficeSetup | None = None,
    demo: bool = False,
    language: str = "pl",
    store_password_in_file: bool = False,
    progress: ProgressFn | None = None,
) -> FirstRunResult:
    """Create or upgrade the schema, write the office (or demo data), then save the settings.

    ``setup`` None and ``demo`` False: join an office already set up on the server.
    The settings file is written last, so a failure leaves the program on its first run.
    """
    from clerk_app.services.secret_store import SecretStore, database_secret_name

    if setup is not None and demo:
        raise ValidationError("Dane demonstracyjne: wybierz je albo własny urząd, nie oba.")
    if language not in LANGUAGES:
        raise ValidationError(f"Język: nieznany „{language}”.")
    data_dir = data_dir.expanduser().absolute()
    settings_path = data_dir / SETTINGS_FILE
    values: dict[str, str | int | bool] = {
        k: v for k, v in read_settings_file(settings_path).items() if isinstance(v, str | int)
    }
    values["language"] = language

    secret: tuple[str, str] | None = None
    if choice.embedded:
        url = make_url(default_database_url(data_dir))
        values.pop("database_url", None)
    else:
        url = server_url(choice)
        stored = server_url(choice, with_password=False)
        values["database_url"] = stored.render_as_string(hide_password=False)
        if choice.password:
            secret = (
                database_secret_name(
                    stored.username or "", stored.host or "", stored.database or ""
                ),
                choice.password,
            )
    if store_password_in_file:
        values["insecure_secret_file"] = True
    runtime = Settings(
        data_dir=data_dir,
        database_url=url.render_as_string(hide_password=False),
        language=language,
        insecure_secret_file=bool(values.get("insecure_secret_file", False)),
    )
    secrets = SecretStore(runtime)
    if secret is not None and not (SecretStore.keyring_available() or store_password_in_file):
        raise SecretStoreUnavailable(
            "Hasło do bazy: brak systemowego magazynu haseł (keyring). Zaznacz zapisanie hasła "
            "w folderze danych albo zainstaluj magazyn haseł."
        )

    if setup is not None:
        validate_setup(setup)  # fail before a database file or schema is created
    new_file = runtime.sqlite_path if choice.embedded else None
    if new_file is not None and new_file.exists():
        new_file = None  # not ours to remove on failure
    try:
        description, name, result = _write_database(runtime, setup, demo, progress)
    except BaseException:
        if new_file is not None:
            _remove_sqlite(new_file)  # the next start is a first run again
        raise

    if secret is not None:
        secrets.set(*secret)
    write_settings_file(settings_path, values)
    return FirstRunResult(settings_path, description, name, result, demo)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _write_database(
    runtime: Settings, setup: OfficeSetup | None, demo: bool, progress: ProgressFn | None
) -> tuple[str, str, SetupResult | None]:
    from clerk_app.services.app_context import open_context

    ctx = open_context(runtime, auto_upgrade=True)
    try:
        result: SetupResult | None = None
        if setup is not None:
            result = setup_office(ctx.db, ctx.blobs, setup)
            name = result.office_name
        elif demo:
            from clerk_app.services.demo_data import fill_demo_data

            fill_demo_data(ctx.db, progress=progress)
            name = office_name(ctx.db) or ""
        else:
            existing = office_name(ctx.db)
            if existing is None:
                raise ValidationError(
                    "Urząd: ta baza nie ma jeszcze skonfigurowanego urzędu; wypełnij jego dane."
                )
            name = existing
        return ctx.db.describe(), name, result
    finally:
        ctx.close()


def embedded_roles() -> frozenset[Role]:
    """On the embedded default one person does everything (as ``os_account_user`` gives)."""
    return ALL_ROLES
