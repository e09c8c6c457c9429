"""Documents/second synchronised from the local ePUAP simulator vs the bare floor, same run.

    .venv/bin/python bench/epuap_sync.py [--docs 200] [--size-kb 200]

Sync: signed pobierzNastepny, verified answer, CRD parsing, one-transaction store (blob store,
register entry, audit), signed potwierdzOdebranie, mark confirmed — into a temp SQLite file.
Floor: plain keep-alive HTTP POST returning the same 200 KB answer + lxml parse + sqlite insert.
Target (issue 4): ≥ 50 docs/s for the sync.
"""

from __future__ import annotations

import argparse
import socket
import sqlite3
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
from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument, fetch_response
from clerk_app.integrations.epuap.simulator import EpuapSimulator, generate_identity
from clerk_app.services.app_context import open_context
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import UserService

BOX = ("ug_bench", "skrytka", "/ug_bench/skrytka")


def run_sync(docs: int, size: int, folder: Path) -> float:
    office = generate_identity("Urząd bench")
    epuap = generate_identity("ePUAP bench")
    sim = EpuapSimulator(allowed_certificates=[office.certificate], identity=epuap)
    mailbox = sim.add_box(*BOX)
    for i in range(docs):
        sim.enqueue(BOX[2], StoredDocument(f"p{i}.xml", crd_letter(i, pad_to=size)))
    ctx = open_context(load_settings(folder / "sync", env={}), auto_upgrade=True)
    with sim:
        client = PullClient(
            ClientSettings(base_url=sim.base_url), mailbox, office, [epuap.certificate]
        )
        port = EpuapInbox(client)
        start = time.perf_counter()
        clerk = UserService(ctx.db).os_account_user("kancelaria")
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk))
        elapsed = time.perf_counter() - start
        port.close()
    ctx.close()
    assert result.ok and result.stored == docs, result.summary()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--size-kb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor = run_floor(args.docs, args.size_kb * 1024, folder)
        sync = run_sync(args.docs, args.size_kb * 1024, folder)
    print(f"floor (HTTP keep-alive + lxml + sqlite): {floor:7.1f} docs/s")
    print(f"sync  (sign, verify, parse, store, ack): {sync:7.1f} docs/s  ({sync / floor:.0%})")
    print("target ≥ 50 docs/s:", "met" if sync >= 50 else "NOT met")


if __name__ == "__main__":
    main()
