"""``clerk-app epuap …``: configure, status, sync (scheduled runs) and the local simulator.

Wire into cli.py with ``cli_epuap.add_commands(sub)``; also runnable alone:
``python -m clerk_app.cli_epuap --data-dir D epuap sync --json``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clerk_app.cli import acting_user, emit, json_flag
from clerk_app.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    epuap = sub.add_parser("epuap", help="skrzynka ePUAP: ustawienia, synchronizacja, symulator")
    esub = epuap.add_subparsers(dest="epuap_command", required=True, metavar="AKCJA")

    conf = esub.add_parser("configure", help="ustaw serwer, skrytkę i certyfikat")
    conf.add_argument("--environment", choices=["production", "integration", "custom"])
    conf.add_argument("--base-url", help="adres serwera dla środowiska custom")
    conf.add_argument("--entity-id", help="identyfikator podmiotu (podmiot)")
    conf.add_argument("--box-name", help="nazwa skrytki (nazwaSkrytki)")
    conf.add_argument("--box-address", help="adres skrytki, np. /urzad/skrytka")
    conf.add_argument("--pkcs12", help="plik certyfikatu systemu (.p12/.pfx)")
    conf.add_argument(
        "--password-stdin", action="store_true", help="hasło PKCS#12 z wejścia (do keyringu)"
    )
    conf.add_argument("--server-cert", help="przypięty certyfikat ePUAP (PEM/DER)")
    conf.add_argument("--tls-ca", help="certyfikat CA dla HTTPS (symulator)")
    conf.add_argument("--interval", type=int, help="odstęp automatycznej synchronizacji (min)")
    conf.add_argument("--read-timeout", type=int, help="limit czasu odpowiedzi (s)")
    json_flag(conf)
    conf.set_defaults(handler=cmd_configure)

    status = esub.add_parser("status", help="ustawienia, stan skrzynki i ostatnia synchronizacja")
    status.add_argument("--offline", action="store_true", help="nie pytaj serwera o kolejkę")
    json_flag(status)
    status.set_defaults(handler=cmd_status)

    sync = esub.add_parser("sync", help="pobierz nowe dokumenty do rejestru (kod ≠ 0 przy błędzie)")
    json_flag(sync)
    sync.set_defaults(handler=cmd_sync)

    send = esub.add_parser(
        "send", help="wyślij pismo wychodzące (PDF) przez ePUAP (kod ≠ 0 przy błędzie)"
    )
    send.add_argument("entry_number", metavar="NUMER_WPISU", help="np. WYCH/12/2026")
    send.add_argument(
        "--dorecz",
        action="store_true",
        help="WS-Doręczyciel (z UPD) zamiast WS-Skrytka nadaj (z UPP)",
    )
    send.add_argument("--deadline-days", type=int, default=14, help="termin doręczenia (dni)")
    json_flag(send)
    send.set_defaults(handler=cmd_send)

    waiting = esub.add_parser("outbox", help="pisma wychodzące czekające na wysyłkę przez ePUAP")
    json_flag(waiting)
    waiting.set_defaults(handler=cmd_outbox)

    sim = esub.add_parser("simulator", help="uruchom lokalny symulator ePUAP")
    sim.add_argument("--folder", help="folder dokumentów do kolejki skrytki urzędu")
    sim.add_argument(
        "--demo", dest="demo_letters", type=int, default=0, help="dodaj N przykładowych pism"
    )
    sim.add_argument("--port", type=int, default=0)
    sim.add_argument("--tls", action="store_true", help="HTTPS zamiast HTTP")
    sim.add_argument("--state-dir", help="folder na klucze symulatora i urzędu (domyślnie dane)")
    sim.add_argument("--configure", action="store_true", help="ustaw program na ten symulator")
    sim.add_argument("--entity-id", default="ug_testowo")
    sim.add_argument("--box-name", default="skrytka")
    sim.add_argument("--box-address", default="/ug_testowo/skrytka")
    sim.add_argument("--duration", type=float, default=0, help=argparse.SUPPRESS)
    sim.set_defaults(handler=cmd_simulator)


def cmd_configure(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict, replace

    from clerk_app.services.epuap_settings import load_epuap_settings, save_epuap_settings

    values = load_epuap_settings(settings)
    changes: dict[str, Any] = {}
    for arg, name in (
        ("environment", "environment"),
        ("base_url", "base_url"),
        ("entity_id", "entity_id"),
        ("box_name", "box_name"),
        ("box_address", "box_address"),
        ("pkcs12", "pkcs12_path"),
        ("server_cert", "server_certificate_path"),
        ("tls_ca", "tls_ca_path"),
        ("interval", "sync_interval_minutes"),
        ("read_timeout", "read_timeout_seconds"),
    ):
        value = getattr(args, arg)
        if value is not None:
            changes[name] = str(Path(value).absolute()) if name.endswith("_path") else value
    if args.base_url and not args.environment:
        changes["environment"] = "custom"
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    saved = save_epuap_settings(settings, replace(values, **changes), password=password)
    missing = saved.missing()
    text = "Zapisano ustawienia ePUAP." + (
        f" Brakuje jeszcze: {', '.join(missing)}." if missing else ""
    )
    emit(args, {**asdict(saved), "missing": missing}, text)
    return 0


def _open(settings: Settings) -> Any:
    from clerk_app.services.app_context import open_context

    return open_context(settings)


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from clerk_app.errors import ClerkError
    from clerk_app.services.inbox.service import InboxService

    ctx = _open(settings)
    try:
        service = InboxService(ctx, acting_user(ctx, args))
        values = service.epuap_settings()
        counts = service.counts()
        last = service.last_result()
        queue: int | None = None
        queue_error = ""
        if not args.offline and values.is_configured:
            try:
                queue = service.queue_count()
            except ClerkError as exc:
                queue_error = str(exc)
    finally:
        ctx.close()
    data = {
        "settings": asdict(values),
        "server": values.effective_url,
        "configured": values.is_configured,
        "missing": values.missing(),
        "queue": queue,
        "queue_error": queue_error,
        "received": counts.received,
        "unconfirmed": counts.unconfirmed,
        "needs_attention": counts.needs_attention,
        "last_sync": last.to_dict() if last else None,
    }
    lines = [
        f"Serwer: {values.effective_url or '(nie ustawiono)'} ({values.environment})",
        f"Skrytka: {values.box_address or '-'} ({values.box_name or '-'}), "
        f"podmiot {values.entity_id or '-'}",
        "Konfiguracja: "
        + ("kompletna" if values.is_configured else "brak " + ", ".join(values.missing())),
        f"W kolejce: {queue if queue is not None else (queue_error or 'nie sprawdzano')}",
        f"Odebrano: {counts.received}, niepotwierdzonych: {counts.unconfirmed}, "
        f"wymaga uwagi: {counts.needs_attention}",
        "Ostatnia synchronizacja: "
        + (f"{last.finished_at:%Y-%m-%d %H:%M} — {last.summary()}" if last else "jeszcze nie było"),
    ]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.services.inbox.service import InboxService

    ctx = _open(settings)
    try:
        result = InboxService(ctx, acting_user(ctx, args)).synchronise()
    finally:
        ctx.close()
    emit(args, result.to_dict(), result.summary())
    return 0 if result.ok else 1


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    from clerk_app.errors import ConnectionFailed
    from clerk_app.services.inbox.outbox import OutboxService

    ctx = _open(settings)
    try:
        service = OutboxService(ctx, acting_user(ctx, args))
        try:
            outcome = service.send(
                args.entry_number,
                operation="dorecz" if args.dorecz else "nadaj",
                deadline_days=args.deadline_days,
            )
        except ConnectionFailed as exc:
            emit(
                args,
                {
                    "ok": False,
                    "entry_number": args.entry_number,
                    "state": "queued",
                    "message": str(exc),
                },
                str(exc),
            )
            return 1
    finally:
        ctx.close()
    emit(args, outcome.to_dict(), outcome.message)
    return 0 if outcome.ok else 1


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from clerk_app.services.inbox.outbox import OutboxService

    ctx = _open(settings)
    try:
        waiting = OutboxService(ctx, acting_user(ctx, args)).waiting()
    finally:
        ctx.close()
    lines = [
        f"{w.number}\t{w.title}\t{w.recipient} ({w.recipient_box or 'brak adresu skrytki'})"
        + (f"\t{w.state}: {w.error}" if w.state else "")
        for w in waiting
    ] or ["Brak pism czekających na wysyłkę przez ePUAP."]
    emit(args, [asdict(w) for w in waiting], "\n".join(lines))
    return 0


def cmd_simulator(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from clerk_app.integrations.epuap.sample_letters import crd_letter
    from clerk_app.integrations.epuap.server_messages import StoredDocument
    from clerk_app.integrations.epuap.simulator import EpuapSimulator, generate_identity
    from clerk_app.services.epuap_settings import (
        EpuapSettings,
        load_epuap_settings,
        save_epuap_settings,
    )

    state = Path(args.state_dir) if args.state_dir else settings.data_dir / "epuap-simulator"
    state.mkdir(parents=True, exist_ok=True)
    office = generate_identity("Urząd (symulator ePUAP)", days=365)
    password = "symulator"
    p12 = state / "urzad.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"urzad",
            office.private_key,
            office.certificate,
            None,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    sim = EpuapSimulator(
        allowed_certificates=[office.certificate],
        tls=args.tls,
        auto_stop_after=args.duration or None,
        port=args.port,
    )
    sim.add_box(args.entity_id, args.box_name, args.box_address)
    sim.add_box("jan_kowalski_test", "skrytka", "/jan_kowalski_test/skrytka")
    queued = 0
    if args.folder:
        queued += sim.load_folder(args.box_address, Path(args.folder))
    for i in range(args.demo_letters):
        sim.enqueue(args.box_address, StoredDocument(f"pismo_{i + 1}.xml", crd_letter(i)))
        queued += 1
    sim.start()
    server_cert = state / "epuap_podpis.pem"
    server_cert.write_bytes(sim.identity.certificate.public_bytes(serialization.Encoding.PEM))
    tls_ca = ""
    if sim.tls_certificate is not None:
        tls_path = state / "epuap_tls.pem"
        tls_path.write_bytes(sim.tls_certificate.public_bytes(serialization.Encoding.PEM))
        tls_ca = str(tls_path)
    if args.configure:
        current = load_epuap_settings(settings)
        save_epuap_settings(
            settings,
            EpuapSettings(
                environment="custom",
                base_url=sim.base_url,
                entity_id=args.entity_id,
                box_name=args.box_name,
                box_address=args.box_address,
                pkcs12_path=str(p12),
                server_certificate_path=str(server_cert),
                tls_ca_path=tls_ca,
                sync_interval_minutes=current.sync_interval_minutes,
            ),
            password=password,
        )
    print(f"Symulator ePUAP: {sim.base_url}", flush=True)
    print(f"Skrytka {args.box_address} ({args.box_name}), podmiot {args.entity_id}: {queued} dok.")
    print(f"Certyfikat urzędu: {p12} (hasło: {password})")
    print(f"Certyfikat podpisu ePUAP: {server_cert}" + (f", CA HTTPS: {tls_ca}" if tls_ca else ""))
    if not args.configure:
        print(
            "Ustaw program: clerk-app epuap configure --base-url "
            f"{sim.base_url} --entity-id {args.entity_id} --box-name {args.box_name} "
            f"--box-address {args.box_address} --pkcs12 {p12} --server-cert {server_cert}"
            + (f" --tls-ca {tls_ca}" if tls_ca else "")
            + " --password-stdin"
        )
    print("Ctrl+C kończy.", flush=True)
    try:
        while sim.running:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (until cli.py wires the commands in): global flags, then epuap …"""
    from clerk_app.config import load_settings
    from clerk_app.errors import ClerkError

    parser = argparse.ArgumentParser(prog="clerk-app")
    parser.add_argument("--data-dir")
    parser.add_argument("--database-url")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.data_dir, args.database_url)
        return int(args.handler(args, settings))
    except ClerkError as exc:
        print(f"clerk-app: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
