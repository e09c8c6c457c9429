"""Many clerks at the same moment: register numbers stay unique and contiguous.

Each worker is a separate process with its own ``AppContext`` (its own engine and
connections), all released at once; PostgreSQL serialises them on row locks,
the embedded SQLite file on BEGIN IMMEDIATE. Each CI pass runs the test for its
database: PostgreSQL with CLERK_TEST_DATABASE_URL set, SQLite without.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.config import Settings
from clerk_app.models import NumberSequence, RegisterEntry, Role
from clerk_app.services import audit
from clerk_app.services.app_context import AppContext
from clerk_app.services.users import UserService

ON_POSTGRES = bool(os.environ.get("CLERK_TEST_DATABASE_URL"))

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import date
    from pathlib import Path

    from clerk_app.config import load_settings
    from clerk_app.models import Channel, Role
    from clerk_app.services.app_context import open_context
    from clerk_app.services.register import RegisterService
    from clerk_app.services.register_types import IncomingDraft
    from clerk_app.services.users import CurrentUser

    data_dir, url, user_id, count, go, worker = sys.argv[1:7]
    settings = load_settings(data_dir=Path(data_dir), database_url=url, env={})
    ctx = open_context(settings, auto_upgrade=False)
    clerk = CurrentUser(int(user_id), "anna", "Anna Nowak", frozenset({Role.REGISTRY_CLERK}))
    service = RegisterService(ctx.db, ctx.blobs, clerk)
    print("ready", flush=True)
    while not Path(go).exists():
        time.sleep(0.005)
    numbers = []
    for i in range(int(count)):
        result = service.register_incoming(
            IncomingDraft(
                received_on=date.today(),
                channel=Channel.PAPER,
                title=f"Pismo {worker}/{i}",
                unknown=frozenset({"sender", "letter_date", "letter_ref"}),
            )
        )
        numbers.append(result.number)
    ctx.close()
    print(json.dumps(numbers), flush=True)
    """
)


def run_workers(
    ctx: AppContext, settings: Settings, tmp_path: Path, processes: int, each: int
) -> list[str]:
    clerk = UserService(ctx.db).create_user("anna", "Anna Nowak", [Role.REGISTRY_CLERK])
    go = tmp_path / "go"
    env = dict(os.environ)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(settings.data_dir),
                settings.database_url,
                str(clerk.id),
                str(each),
                str(go),
                str(n),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(processes)
    ]
    try:
        for w in workers:
            assert w.stdout is not None
            line = w.stdout.readline()
            assert line.strip() == "ready", w.stderr.read() if w.stderr else ""
        go.touch()  # all workers start registering at the same moment
        numbers: list[str] = []
        for w in workers:
            out, err = w.communicate(timeout=240)
            assert w.returncode == 0, err[-3000:]
            numbers += json.loads(out.strip().splitlines()[-1])
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    return numbers


def assert_unique_and_contiguous(ctx: AppContext, numbers: list[str], total: int) -> None:
    year = date.today().year
    assert len(numbers) == total
    assert len(set(numbers)) == total, "a number was issued twice"
    assert sorted(numbers, key=lambda n: int(n.split("/")[1])) == [
        f"RPW/{n}/{year}" for n in range(1, total + 1)
    ]
    with ctx.db.session() as session:
        seqs = sorted(session.scalars(select(RegisterEntry.seq_no)))
        assert seqs == list(range(1, total + 1)), "a gap or a duplicate in the register"
        counter = session.get(NumberSequence, ("register:RPW", year))
        assert counter is not None and counter.last_value == total
        chain = audit.verify_chain(session)
        assert chain.ok, chain.reason
        assert chain.checked >= total


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL pass only (CLERK_TEST_DATABASE_URL)")
def test_eight_processes_on_postgresql(ctx: AppContext, settings: Settings, tmp_path: Path) -> None:
    numbers = run_workers(ctx, settings, tmp_path, processes=8, each=250)
    assert_unique_and_contiguous(ctx, numbers, 2000)


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="embedded SQLite pass only")
def test_four_processes_on_one_sqlite_file(
    ctx: AppContext, settings: Settings, tmp_path: Path
) -> None:
    numbers = run_workers(ctx, settings, tmp_path, processes=4, each=250)
    assert_unique_and_contiguous(ctx, numbers, 1000)
