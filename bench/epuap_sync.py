"""Documents/second synchronised from the local ePUAP simulator vs the bare floor, same run.

    .venv/bin/python bench/epuap_sync.py [--docs 200] [--size-kb 200] [--big-mb 50] [--rounds 3]

Sync: signed pobierzNastepny, verified answer, CRD parsing, one-transaction store (blob store,
register entry, audit), signed potwierdzOdebranie, mark confirmed — into a temp SQLite file.
Floor: plain keep-alive HTTP POST returning the same 200 KB answer + lxml parse + sqlite insert.
Floor and sync alternate for ``--rounds`` rounds; medians (and the range) are printed.
Target (issue 4): ≥ 50 docs/s for the sync.

Memory: one letter with a ``--big-mb`` attachment synchronised in a fresh child process (the
simulator runs in this one); peak RSS growth over the child's RSS just before the sync,
against the floor (the same raw answer read over HTTP and parsed by plain lxml) measured the
same way. Target (issue 4): ≤ 4× the attachment size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from lxml import etree

from clerk_app.config import load_settings
from clerk_app.integrations.epuap.client import ClientSettings, PullClient
from clerk_app.integrations.epuap.envelope import serialize
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter, padding_pdf
from clerk_app.integrations.epuap.server_messages import StoredDocument, fetch_response
from clerk_app.integrations.epuap.simulator import EpuapSimulator, generate_identity
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.services.app_context import open_context
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import UserService

BOX = ("ug_bench", "skrytka", "/ug_bench/skrytka")


def _serve_simulator(
    office_cert: bytes, epuap: tuple[bytes, bytes], docs: int, size: int, conn: object
) -> None:
    """The simulator in its own process: a real ePUAP is remote, so its server work must
    not share the sync's GIL."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    identity = SigningIdentity(
        serialization.load_pem_private_key(epuap[0], None),  # type: ignore[arg-type]
        x509.load_pem_x509_certificate(epuap[1]),
    )
    sim = EpuapSimulator(
        allowed_certificates=[x509.load_pem_x509_certificate(office_cert)], identity=identity
    )
    sim.add_box(*BOX)
    for i in range(docs):
        sim.enqueue(BOX[2], StoredDocument(f"p{i}.xml", crd_letter(i, pad_to=size)))
    with sim:
        conn.send(sim.base_url)  # type: ignore[attr-defined]
        conn.recv()  # type: ignore[attr-defined]  # stop
        conn.send(len(sim.queue(BOX[2])))  # type: ignore[attr-defined]


def run_sync(docs: int, size: int, folder: Path) -> float:
    office = generate_identity("Urząd bench")
    epuap = generate_identity("ePUAP bench")
    spawn = multiprocessing.get_context("spawn")
    here, there = spawn.Pipe()
    server = spawn.Process(
        target=_serve_simulator,
        args=(_pem_identity(office)[1], _pem_identity(epuap), docs, size, there),
    )
    server.start()
    base_url = here.recv()
    ctx = open_context(load_settings(folder / "sync", env={}), auto_upgrade=True)
    try:
        client = PullClient(
            ClientSettings(base_url=base_url),
            EpuapSimulator().add_box(*BOX),
            office,
            [epuap.certificate],
        )
        port = EpuapInbox(client)
        clerk = UserService(ctx.db).os_account_user("kancelaria")
        start = time.perf_counter()
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk))
        elapsed = time.perf_counter() - start
        port.close()
    finally:
        here.send("stop")
        left = here.recv()
        server.join()
        ctx.close()
    assert result.ok and result.stored == docs and left == 0, result.summary()
    return docs / elapsed


def run_floor(docs: int, size: int, folder: Path) -> float:
    mailbox = EpuapSimulator().add_box(*BOX)
    body = serialize(fetch_response(mailbox, StoredDocument("p.xml", crd_letter(0, pad_to=size))))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "floor.sqlite")
    db.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY, name TEXT, body BLOB)")
    host, port = server.server_address[:2]
    with httpx.Client(base_url=f"http://{host!s}:{port}") as http:
        start = time.perf_counter()
        for _ in range(docs):
            raw = http.post("/pull", content=b"<x/>").content
            root = etree.fromstring(raw, etree.XMLParser(huge_tree=True))
            db.execute("INSERT INTO doc (name, body) VALUES (?, ?)", (root.tag, raw))
            db.commit()
        elapsed = time.perf_counter() - start
    server.shutdown()
    db.close()
    return docs / elapsed


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    # Linux ≥ 4.0: writing 5 resets VmHWM to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")


def _pem_identity(identity: SigningIdentity) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import serialization

    key = identity.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, identity.certificate.public_bytes(serialization.Encoding.PEM)


def _child_sync(
    base_url: str, office: tuple[bytes, bytes], epuap_pem: bytes, folder: str, out: object
) -> None:
    """Runs in a fresh process: open everything, then measure only the sync itself."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(office[0], None)
    identity = SigningIdentity(key, x509.load_pem_x509_certificate(office[1]))  # type: ignore[arg-type]
    ctx = open_context(load_settings(Path(folder) / "mem", env={}), auto_upgrade=True)
    clerk = UserService(ctx.db).os_account_user("kancelaria")
    client = PullClient(
        ClientSettings(base_url=base_url),
        EpuapSimulator().add_box(*BOX),
        identity,
        [x509.load_pem_x509_certificate(epuap_pem)],
    )
    port = EpuapInbox(client)
    before = _rss_kb("VmRSS")
    _reset_peak()
    result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk))
    peak = _rss_kb("VmHWM")
    port.close()
    ctx.close()
    unpacked = result.ok and result.stored == 1 and result.needs_attention == 0
    out.send((unpacked, before, peak))  # type: ignore[attr-defined]


def _child_floor(base_url: str, out: object) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as http:
        before = _rss_kb("VmRSS")
        _reset_peak()
        raw = http.post("/pull", content=b"<x/>").content
        root = etree.fromstring(raw, etree.XMLParser(huge_tree=True))
        peak = _rss_kb("VmHWM")
        del root, raw
    out.send((True, before, peak))  # type: ignore[attr-defined]


def run_memory(attachment_mb: int, folder: Path) -> tuple[float, float]:
    """Peak RSS growth (MB) of the sync and of the floor for one letter with a big attachment."""
    office = generate_identity("Urząd bench")
    epuap = generate_identity("ePUAP bench")
    big = padding_pdf(attachment_mb * 1024 * 1024)
    letter = crd_letter(0, attachments=(SampleAttachment("skan.pdf", big),))
    del big
    sim = EpuapSimulator(allowed_certificates=[office.certificate], identity=epuap)
    sim.add_box(*BOX)
    sim.enqueue(BOX[2], StoredDocument("duzy.xml", letter))
    answer = serialize(fetch_response(EpuapSimulator().add_box(*BOX), StoredDocument("d", letter)))
    del letter
    spawn = multiprocessing.get_context("spawn")
    growth: list[float] = []
    with sim:
        server = _raw_server(answer)
        host, port = server.server_address[:2]
        epuap_pem = _pem_identity(epuap)[1]
        for target, args in (
            (_child_sync, (sim.base_url, _pem_identity(office), epuap_pem, str(folder))),
            (_child_floor, (f"http://{host!s}:{port}",)),
        ):
            receive, send = spawn.Pipe(duplex=False)
            child = spawn.Process(target=target, args=(*args, send))
            child.start()
            send.close()  # a child that dies makes recv() fail instead of waiting for ever
            try:
                ok, before, peak = receive.recv()
            except EOFError:
                raise RuntimeError(f"the {target.__name__} child died") from None
            child.join()
            assert ok, "the big letter was not stored with its attachment unpacked"
            growth.append((peak - before) / 1024)
        server.shutdown()
    return growth[0], growth[1]


def _raw_server(body: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _spread(values: list[float]) -> str:
    return f"(median of {len(values)}: {min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--size-kb", type=int, default=200)
    parser.add_argument("--big-mb", type=int, default=50, help="0: skip the memory measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="floor and sync alternate; medians are reported"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floors: list[float] = []
        syncs: list[float] = []
        for n in range(args.rounds):
            # Alternating in the same minutes: a busy neighbour slows both, not one.
            floors.append(run_floor(args.docs, args.size_kb * 1024, folder / f"floor{n}"))
            syncs.append(run_sync(args.docs, args.size_kb * 1024, folder / f"sync{n}"))
        floor, sync = statistics.median(floors), statistics.median(syncs)
        print(f"floor (HTTP keep-alive + lxml + sqlite): {floor:7.1f} docs/s  {_spread(floors)}")
        print(
            f"sync  (sign, verify, parse, store, ack): {sync:7.1f} docs/s  {_spread(syncs)}  "
            f"({sync / floor:.0%} of the floor, {1000 / sync:.1f} ms per document)"
        )
        print("target ≥ 50 docs/s (median):", "met" if sync >= 50 else "NOT met")
        if args.big_mb:
            used, floor_used = run_memory(args.big_mb, folder)
            print(
                f"memory, one letter with a {args.big_mb} MB attachment: peak RSS +{used:.0f} MB "
                f"({used / args.big_mb:.1f}× the attachment); floor (HTTP read + lxml parse of "
                f"the same answer) +{floor_used:.0f} MB ({floor_used / args.big_mb:.1f}×)"
            )
            print("target ≤ 4× the attachment:", "met" if used <= 4 * args.big_mb else "NOT met")


if __name__ == "__main__":
    main()
