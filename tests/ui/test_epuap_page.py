"""The ePUAP page drives the real InboxService (SQLite/PostgreSQL) over an in-memory port."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.models import RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.memory import MemoryInbox, memory_item
from clerk_app.services.inbox.service import InboxService
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.pages.epuap_page import EpuapPage


def registry_clerk(ctx: AppContext) -> CurrentUser:
    """The clerk the sync registers as (the OS account of the embedded default)."""
    return UserService(ctx.db).os_account_user("kancelaria")


def _box(count: int) -> MemoryInbox:
    items = [memory_item(f"pismo_{i}.xml", crd_letter(i)) for i in range(count)]
    items.insert(1, memory_item("zepsute.xml", b"<?xml version='1.0'?><nie-zamkniete>"))
    return MemoryInbox(items)


def _page(qtbot: QtBot, service: InboxService) -> EpuapPage:
    page = EpuapPage(service)
    qtbot.addWidget(page)
    page.show()
    return page


def test_synchronise_now_registers_and_lists_attention(ctx: AppContext, qtbot: QtBot) -> None:
    box = _box(3)
    service = InboxService(ctx, registry_clerk(ctx), port_factory=lambda: box)
    page = _page(qtbot, service)
    assert "none yet" in page.result_label.text()

    page.refresh_button.click()
    qtbot.waitUntil(lambda: page.queue_label.text().endswith(" 4"), timeout=5000)

    with qtbot.waitSignal(page.registered, timeout=15000) as signal:
        page.sync_button.click()
        assert page.is_running and not page.sync_button.isEnabled()
    assert len(signal.args[0]) == 4
    assert not page.is_running and page.sync_button.isEnabled()
    assert not box.items
    assert "nowych pism 4" in page.result_label.text()
    assert page.attention_list.count() == 1
    assert "zepsute" in page.attention_list.item(0).text() or "nieczytelny" in (
        page.attention_list.item(0).text()
    )
    with ctx.db.session() as session:
        assert len(list(session.scalars(select(RegisterEntry)))) == 4
    # A new page (restart) shows the stored last result and the attention list.
    again = _page(qtbot, InboxService(ctx, registry_clerk(ctx), port_factory=lambda: box))
    assert "nowych pism 4" in again.result_label.text()
    assert again.attention_list.count() == 1


def test_cancel_stops_between_documents_and_progress_dialog_shows(
    ctx: AppContext, qtbot: QtBot
) -> None:
    box = _box(5)
    gate = threading.Event()
    fetches = []

    def hold() -> None:
        fetches.append(1)
        if len(fetches) == 2:
            gate.wait(10)

    box.before_fetch = hold
    page = _page(qtbot, InboxService(ctx, registry_clerk(ctx), port_factory=lambda: box))
    page.sync_button.click()
    qtbot.waitUntil(lambda: len(fetches) == 2, timeout=5000)
    dialog = page.progress_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3000)  # shown after ~0.5 s, not at once
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button is not None
    cancel_button.click()  # what the clerk does
    gate.set()
    qtbot.waitUntil(lambda: not page.is_running, timeout=10000)
    assert "przerwano" in page.result_label.text()
    assert 1 <= len(box.acknowledged) <= 2
    assert len(box.items) >= 4
    page.shutdown()


def test_service_error_is_shown_in_polish(ctx: AppContext, qtbot: QtBot) -> None:
    box = _box(1)
    box.unavailable = "ePUAP odpowiedział HTTP 503 — usługa ePUAP jest chwilowo niedostępna"
    page = _page(qtbot, InboxService(ctx, registry_clerk(ctx), port_factory=lambda: box))
    page.sync_button.click()
    qtbot.waitUntil(lambda: not page.is_running, timeout=5000)
    assert "chwilowo niedostępna" in page.error_label.text()
    page.refresh_button.click()
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=5000)
    assert "chwilowo niedostępna" in page.error_label.text()


def test_automatic_sync_runs_at_the_configured_interval(ctx: AppContext, qtbot: QtBot) -> None:
    from clerk_app.services.epuap_settings import EpuapSettings, save_epuap_settings

    save_epuap_settings(ctx.settings, EpuapSettings(sync_interval_minutes=7))
    box = _box(2)
    page = _page(qtbot, InboxService(ctx, registry_clerk(ctx), port_factory=lambda: box))
    assert page.auto_timer.isActive() and page.auto_timer.interval() == 7 * 60_000
    with qtbot.waitSignal(page.registered, timeout=15000):
        page.auto_timer.timeout.emit()
    assert not box.items


def test_send_through_epuap_sends_the_selected_outgoing_letter(
    ctx: AppContext, qtbot: QtBot
) -> None:
    from clerk_app.integrations.epuap.client import ClientSettings, SendClient
    from clerk_app.integrations.epuap.envelope import Mailbox
    from clerk_app.integrations.epuap.sample_letters import padding_pdf
    from clerk_app.integrations.epuap.simulator import EpuapSimulator, generate_identity
    from clerk_app.models import Channel, CorrespondentKind, DeliveryStatus
    from clerk_app.services.inbox.outbox import OutboxService
    from clerk_app.services.register import RegisterService
    from clerk_app.services.register_types import (
        AttachmentInput,
        CorrespondentInput,
        OutgoingDraft,
    )

    office, epuap = generate_identity("Urząd UI"), generate_identity("ePUAP UI")
    sim = EpuapSimulator(
        allowed_certificates=[office.certificate], identity=epuap, auto_stop_after=60
    )
    office_box = sim.add_box("ug_ui", "skrytka", "/ug_ui/skrytka")
    sim.add_box("jan_ui", "skrytka", "/jan_ui/skrytka")
    clerk = registry_clerk(ctx)
    number = (
        RegisterService(ctx.db, ctx.blobs, clerk)
        .register_outgoing(
            OutgoingDraft(
                title="Odpowiedź",
                channel=Channel.EPUAP,
                new_correspondent=CorrespondentInput(
                    kind=CorrespondentKind.PERSON,
                    first_name="Jan",
                    last_name="Wiśniewski",
                    epuap_address="/jan_ui/skrytka",
                ),
                attachments=(AttachmentInput("odp.pdf", padding_pdf(2000), "application/pdf"),),
            )
        )
        .number
    )
    with sim:

        def factory() -> tuple[SendClient, Mailbox]:
            settings = ClientSettings(base_url=sim.base_url, max_attempts=1, read_timeout=5)
            return SendClient(settings, office, [epuap.certificate]), office_box

        outbox = OutboxService(ctx, clerk, client_factory=factory)
        page = EpuapPage(
            InboxService(ctx, clerk, port_factory=lambda: MemoryInbox([])), outbox=outbox
        )
        qtbot.addWidget(page)
        page.show()
        assert page.outbox_list.count() == 1 and not page.send_button.isEnabled()
        page.outbox_list.item(0).setSelected(True)
        assert page.selected_entry_number() == number and page.send_button.isEnabled()

        with qtbot.waitSignal(page.letter_sent, timeout=15000) as signal:
            page.send_button.click()
        assert signal.args[0].state == "sent"
        assert number in page.send_status.text()
        assert page.outbox_list.count() == 0 and not page.send_button.isEnabled()
        assert len(sim.queue("/jan_ui/skrytka")) == 1
    with ctx.db.session() as session:
        entry = session.scalar(select(RegisterEntry).where(RegisterEntry.number == number))
        assert entry is not None and entry.delivery_status == DeliveryStatus.SENT
    page.shutdown()
