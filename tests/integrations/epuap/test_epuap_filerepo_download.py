"""FileRepo: URI attachments are downloaded at first fetch and stored with their letter.

Runs on SQLite and, with CLERK_TEST_DATABASE_URL, on PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.envelope import Mailbox
from clerk_app.integrations.epuap.filerepo import FileRepoClient
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter, padding_pdf
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.models import Attachment, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.port import InboxItem
from clerk_app.services.inbox.sync import StoreOutcome, synchronise
from clerk_app.services.users import UserService

from .conftest import OFFICE_BOX, client_settings_for

OFFICE = OFFICE_BOX[2]


@pytest.fixture
def port(
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    tmp_path: Path,
) -> Iterator[EpuapInbox]:
    settings = client_settings_for(simulator)
    inbox = EpuapInbox(
        PullClient(settings, office_box, office_identity, [epuap_identity.certificate]),
        repo=FileRepoClient(settings),
        spool_dir=tmp_path / "spool",
    )
    yield inbox
    inbox.close()


def _ledger(ctx: AppContext) -> DatabaseLedger:
    return DatabaseLedger(ctx.db, ctx.blobs, UserService(ctx.db).os_account_user("kancelaria"))


def _letter_with_repo_file(sim: EpuapSimulator, content: bytes, index: int = 0) -> None:
    uri = sim.add_repo_file(content)
    letter = crd_letter(
        index,
        attachments=(
            SampleAttachment("mapa.pdf", b"", uri=uri),
            SampleAttachment("wniosek.pdf", padding_pdf(1500)),
        ),
    )
    sim.enqueue(OFFICE, StoredDocument(f"pismo_{index}.xml", letter))


def _attachments(ctx: AppContext) -> dict[str, bytes]:
    with ctx.db.session() as session:
        rows = list(session.scalars(select(Attachment).where(Attachment.entry_id.is_not(None))))
        return {row.file_name: ctx.blobs.get(session, row.sha256) for row in rows}


def test_uri_attachment_is_downloaded_once_and_stored_with_the_letter(
    ctx: AppContext, simulator: EpuapSimulator, port: EpuapInbox, tmp_path: Path
) -> None:
    big = padding_pdf(300_000)
    _letter_with_repo_file(simulator, big)

    result = synchronise(port, _ledger(ctx))

    assert result.ok and result.stored == 1 and result.needs_attention == 0, result.summary()
    assert _attachments(ctx)["mapa.pdf"] == big
    assert simulator.repo_files() == [] and len(simulator.repo_downloads) == 1
    assert list((tmp_path / "spool").iterdir()) == []
    with ctx.db.session() as session:
        entry = session.scalar(select(RegisterEntry))
        assert entry is not None and not entry.needs_attention


class _CrashOnFirstStore:
    """A ledger that fails like a crash after the download, before the commit."""

    def __init__(self, inner: DatabaseLedger) -> None:
        self.inner = inner
        self.calls = 0

    def store(self, item: InboxItem) -> StoreOutcome:
        self.calls += 1
        if self.calls == 1:
            raise OSError("symulowana awaria przed zapisem")
        return self.inner.store(item)

    def mark_confirmed(self, channel: str, key: str) -> None:
        self.inner.mark_confirmed(channel, key)


def test_download_survives_a_failure_before_the_letter_is_stored(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    tmp_path: Path,
) -> None:
    content = padding_pdf(20_000)
    _letter_with_repo_file(simulator, content)
    settings = client_settings_for(simulator)

    def fresh_port() -> EpuapInbox:
        return EpuapInbox(
            PullClient(settings, office_box, office_identity, [epuap_identity.certificate]),
            repo=FileRepoClient(settings),
            spool_dir=tmp_path / "spool",
        )

    ledger = _CrashOnFirstStore(_ledger(ctx))
    first = fresh_port()
    try:
        failed = synchronise(first, ledger)
    finally:
        first.close()
    assert not failed.ok and failed.confirmed == 0
    assert simulator.repo_files() == []  # the one download is spent

    second = fresh_port()  # a new process: only the spool remembers the file
    try:
        result = synchronise(second, ledger)
    finally:
        second.close()
    assert result.ok and result.stored == 1 and result.needs_attention == 0, result.summary()
    assert _attachments(ctx)["mapa.pdf"] == content
    assert len(simulator.repo_downloads) == 1


def test_missing_repo_file_registers_the_letter_needing_attention(
    ctx: AppContext, simulator: EpuapSimulator, port: EpuapInbox
) -> None:
    _letter_with_repo_file(simulator, b"x")
    simulator.download(simulator.repo_files()[0])  # someone else downloaded it already
    simulator.enqueue(OFFICE, StoredDocument("drugie.xml", crd_letter(1)))

    result = synchronise(port, _ledger(ctx))

    assert result.ok and result.stored == 2 and result.needs_attention == 1, result.summary()
    assert "mapa.pdf" in result.attention[0] and "repozytorium" in result.attention[0]
    assert simulator.queue(OFFICE) == []
