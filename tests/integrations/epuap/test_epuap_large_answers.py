"""Big answers travel through spool files, not memory: the letter still arrives byte for byte,
its attachment is registered, and no spool file is left behind; hostile bytes in a spooled
answer are refused exactly as in memory."""

from __future__ import annotations

import base64
import binascii
import codecs
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.integrations.epuap import payload
from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.envelope import Mailbox
from clerk_app.integrations.epuap.safe_xml import HostileXmlError, parse_untrusted_xml
from clerk_app.integrations.epuap.sample_letters import SampleAttachment, crd_letter, padding_pdf
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator
from clerk_app.integrations.epuap.wssecurity import SigningIdentity
from clerk_app.models import Attachment, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.epuap import EpuapInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import UserService

from .conftest import OFFICE_BOX, client_settings_for


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_big_letter_is_spooled_registered_intact_and_cleaned_up(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    spool_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Keep the test quick: spool everything over 1 MB (the answer and the decoded letter).
    monkeypatch.setattr(payload, "SPOOL_ABOVE", 1 << 20)
    monkeypatch.setattr("clerk_app.integrations.epuap.client.SPOOL_ABOVE", 1 << 20)
    scan = padding_pdf(3 * 1024 * 1024)
    letter = crd_letter(7, attachments=(SampleAttachment("skan_łąka.pdf", scan),))
    simulator.enqueue(OFFICE_BOX[2], StoredDocument("duży.xml", letter))
    spooled: list[Path] = []
    real_spool = payload.spool_file

    def watched(prefix: str = "epuap-") -> tuple[object, Path]:
        handle, path = real_spool(prefix)
        spooled.append(path)
        return handle, path

    monkeypatch.setattr(payload, "spool_file", watched)
    monkeypatch.setattr("clerk_app.integrations.epuap.client.spool_file", watched)
    port = EpuapInbox(
        PullClient(
            client_settings_for(simulator),
            office_box,
            office_identity,
            [epuap_identity.certificate],
        )
    )
    clerk = UserService(ctx.db).os_account_user("kancelaria")
    try:
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, clerk))
    finally:
        port.close()

    assert result.ok and result.stored == 1 and result.needs_attention == 0, result.summary()
    assert len(spooled) == 3  # the SOAP answer, the decoded letter and its attachment
    assert list(spool_dir.iterdir()) == []  # removed once acknowledged
    assert simulator.queue(OFFICE_BOX[2]) == []
    with ctx.db.session() as session:
        entry = session.scalars(select(RegisterEntry)).one()
        files = {
            a.file_name: ctx.blobs.get(session, a.sha256)
            for a in session.scalars(select(Attachment).where(Attachment.entry_id == entry.id))
        }
    assert files["skan_łąka.pdf"] == scan
    assert letter in files.values()


def test_failed_store_still_removes_the_spool_files(
    ctx: AppContext,
    simulator: EpuapSimulator,
    office_box: Mailbox,
    office_identity: SigningIdentity,
    epuap_identity: SigningIdentity,
    spool_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(payload, "SPOOL_ABOVE", 1 << 20)
    monkeypatch.setattr("clerk_app.integrations.epuap.client.SPOOL_ABOVE", 1 << 20)
    letter = crd_letter(1, attachments=(SampleAttachment("a.pdf", os.urandom(2 << 20)),))
    simulator.enqueue(OFFICE_BOX[2], StoredDocument("duży.xml", letter))

    class BrokenLedger:
        def store(self, item: object) -> object:
            raise OSError("dysk pełny")

        def mark_confirmed(self, channel: str, key: str) -> None:  # pragma: no cover
            raise AssertionError("never acknowledged")

    port = EpuapInbox(
        PullClient(
            client_settings_for(simulator),
            office_box,
            office_identity,
            [epuap_identity.certificate],
        )
    )
    result = synchronise(port, BrokenLedger())  # type: ignore[arg-type]
    port.close()
    assert not result.ok and "dysk pełny" in " ".join(result.errors)
    assert simulator.queue(OFFICE_BOX[2])  # not acknowledged: it comes again
    assert list(spool_dir.iterdir()) == []


def test_base64_decoded_in_slices_equals_one_piece_and_refuses_the_same(spool_dir: Path) -> None:
    data = os.urandom(5 * 1024 * 1024 + 7)
    text = base64.encodebytes(data).decode("ascii")  # with line breaks, as some senders do
    spooled = payload.decode_base64_text(text, spool_above=1024)
    assert isinstance(spooled, Path) and spooled.read_bytes() == data
    spooled.unlink()
    for bad in ("QQ==" + "QUJD" * 400_000, "QUJD" * 400_000 + "Q", "QUJD" * 400_000 + "@@@@"):
        with pytest.raises(binascii.Error):
            payload.decode_base64_text(bad, spool_above=1024)
    assert list(spool_dir.iterdir()) == []


def test_spooled_xml_gets_the_same_hardening_as_bytes(tmp_path: Path) -> None:
    def as_file(data: bytes) -> Path:
        path = tmp_path / f"answer-{len(list(tmp_path.iterdir()))}.xml"
        path.write_bytes(data)
        return path

    # DOCTYPE straddling the 1 MB scan boundary is still found.
    filler = b" " * ((1 << 20) - 20)
    hostile = b'<?xml version="1.0"?>' + filler + b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"
    with pytest.raises(HostileXmlError, match="DOCTYPE"):
        parse_untrusted_xml(as_file(hostile), max_bytes=8 << 20)
    with pytest.raises(HostileXmlError, match="UTF-8"):
        parse_untrusted_xml(as_file(b'<?xml version="1.0"?><a>\xff\xfe</a>'))
    with pytest.raises(HostileXmlError, match="za duży"):
        parse_untrusted_xml(as_file(b"<a>" + b"x" * 2048 + b"</a>"), max_bytes=1024)
    # Declared windows-1250 (not UTF-8): re-encoded, Polish letters intact.
    polish = "Zażółć gęślą jaźń"
    declared = f'<?xml version="1.0" encoding="windows-1250"?><a>{polish}</a>'.encode("cp1250")
    assert parse_untrusted_xml(as_file(declared)).text == polish
    bom = codecs.BOM_UTF8 + f"<a>{polish}</a>".encode()
    assert parse_untrusted_xml(as_file(bom)).text == polish
