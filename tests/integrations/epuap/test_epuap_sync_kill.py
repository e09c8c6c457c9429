"""kill -9 of a sync SUBPROCESS at random points, then a re-run: every document exactly once.

The simulator lives in the test process, so its queue survives the killed client. Each round
starts ``clerk-app epuap sync`` (the real CLI path: settings, PKCS#12 from the secret store,
pinned certificate), kills it with SIGKILL after a random delay, and the next round carries on.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from clerk_app.config import load_settings
from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.models import RegisterEntry
from clerk_app.models.inbox import InboxMessage
from clerk_app.services.app_context import AppContext
from clerk_app.services.epuap_settings import EpuapSettings, save_epuap_settings
from clerk_app.services.users import UserService

from .conftest import OFFICE_BOX, OfficePki

OFFICE = OFFICE_BOX[2]
DOCUMENTS = 120
KILLS = 20


def _configure(ctx: AppContext, sim: EpuapSimulator, pki: OfficePki, tmp_path: Path) -> None:
    # The CLI acts as the OS account (on the office server signed in, see cli_user).
    UserService(ctx.db).os_account_user()
    ctx.settings.settings_path.write_text("insecure_secret_file = true\n", encoding="utf-8")
    settings = load_settings(ctx.settings.data_dir, ctx.settings.database_url, env={})
    cert = tmp_path / "epuap.pem"
    cert.write_bytes(sim.identity.certificate.public_bytes(serialization.Encoding.PEM))
    save_epuap_settings(
        settings,
        EpuapSettings(
            environment="custom",
            base_url=sim.base_url,
            entity_id=OFFICE_BOX[0],
            box_name=OFFICE_BOX[1],
            box_address=OFFICE_BOX[2],
            pkcs12_path=str(pki.pkcs12_path),
            server_certificate_path=str(cert),
            read_timeout_seconds=10,
        ),
        password=pki.password,
    )


def _sync_command(ctx: AppContext) -> list[str]:
    return [
        sys.executable,
        "-m",
        "clerk_app.cli_epuap",
        "--data-dir",
        str(ctx.settings.data_dir),
        "--database-url",
        ctx.settings.database_url,
        "epuap",
        "sync",
        "--json",
    ]


@pytest.mark.slow
@pytest.mark.usefixtures("cli_user")  # on PostgreSQL the CLI signs in (CLERK_USER/PASSWORD)
def test_kill_9_at_random_points_never_loses_or_duplicates(
    ctx: AppContext, simulator: EpuapSimulator, office_pki: OfficePki, tmp_path: Path
) -> None:
    _configure(ctx, simulator, office_pki, tmp_path)
    for i in range(DOCUMENTS):
        simulator.enqueue(OFFICE, StoredDocument(f"pismo_{i + 1}.xml", crd_letter(i)))
    rng = random.Random(int(os.environ.get("CLERK_KILL_SEED", "20260301")))
    killed = 0
    for _ in range(KILLS):
        if not simulator.queue(OFFICE):
            break
        seen = len(simulator.records)
        process = subprocess.Popen(
            _sync_command(ctx), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Wait until this run talks to the service, then kill it at a random point of its work
        # (start-up time varies with the machine's load; the kill must land inside the sync).
        deadline = time.monotonic() + 60
        while (
            len(simulator.records) == seen
            and process.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        # A document takes ~20-40 ms: a quarter second spreads the kills over several
        # documents at every stage, while 20 rounds do not drain the box before they end.
        time.sleep(rng.uniform(0.0, 0.25))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
        process.wait(timeout=30)
    final = subprocess.run(_sync_command(ctx), capture_output=True, text=True, timeout=300)

    assert final.returncode == 0, final.stderr[-2000:]
    summary = json.loads(final.stdout)
    assert summary["ok"] is True
    assert killed >= 10, "too few kills landed while a sync was running"
    assert simulator.queue(OFFICE) == []
    with ctx.db.session() as session:
        entries = list(session.scalars(select(RegisterEntry)))
        messages = list(session.scalars(select(InboxMessage)))
    assert len(entries) == DOCUMENTS
    assert len({e.external_id for e in entries}) == DOCUMENTS
    assert sorted(e.title or "" for e in entries) == sorted(_titles())
    assert len(messages) == DOCUMENTS and {m.state for m in messages} == {"confirmed"}
    removed = Counter(r.document_digest for r in simulator.records if r.outcome == "confirmed")
    assert len(removed) == DOCUMENTS and set(removed.values()) == {1}


def _titles() -> list[str]:
    from clerk_app.integrations.epuap.sample_letters import sample_title

    return [sample_title(i) for i in range(DOCUMENTS)]
