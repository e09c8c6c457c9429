"""The ePUAP page drives the real InboxService (SQLite/PostgreSQL) over an in-memory port."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clerk_app.config import Settings
from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.models import RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.memory import MemoryInbox, memory_item
from clerk_app.services.inbox.service import InboxService
from clerk_app.services.users import CurrentUser, UserService
from clerk_app.ui.i18n import install_language
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


def test_demo_simulator_feeds_the_page_over_real_http(ctx: AppContext, qtbot: QtBot) -> None:
    """``--demo``: the in-process simulator, the real settings-driven service, the page."""
    from clerk_app.services.inbox.demo_simulator import start_demo_simulator

    demo = start_demo_simulator(ctx.settings, letters=3)
    url = demo.base_url
    try:
        assert demo.configured and url.startswith("http://127.0.0.1:")
        service = InboxService(ctx, registry_clerk(ctx))  # reads the settings the demo wrote
        assert service.auto_sync_enabled()
        page = _page(qtbot, service)
        page.refresh_button.click()
        qtbot.waitUntil(lambda: page.queue_label.text().endswith(" 3"), timeout=10000)
        with qtbot.waitSignal(page.registered, timeout=30000) as signal:
            page.sync_button.click()
        assert len(signal.args[0]) == 3
        assert "nowych pism 3" in page.result_label.text()
        assert demo.simulator.queue("/ug_zielona_dolina/skrytka") == []
        page.shutdown()
    finally:
        demo.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/pk_external_ws/services/pull?wsdl", timeout=2)


def test_demo_leaves_a_real_epuap_configuration_alone(ctx: AppContext, tmp_path: Path) -> None:
    from clerk_app.services.epuap_settings import (
        EpuapSettings,
        load_epuap_settings,
        save_epuap_settings,
    )
    from clerk_app.services.inbox.demo_simulator import start_demo_simulator

    for name in ("urzad.p12", "epuap.pem"):
        (tmp_path / name).write_bytes(b"x")
    real = save_epuap_settings(
        ctx.settings,
        EpuapSettings(
            environment="integration",
            entity_id="ug_prawdziwa",
            box_name="skrytka",
            box_address="/ug_prawdziwa/skrytka",
            pkcs12_path=str(tmp_path / "urzad.p12"),
            server_certificate_path=str(tmp_path / "epuap.pem"),
        ),
    )
    demo = start_demo_simulator(ctx.settings, letters=1)
    demo.stop()
    assert not demo.configured
    assert load_epuap_settings(ctx.settings) == real


def test_gui_demo_mode_runs_the_simulator_until_exit(
    settings: Settings, qapp: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``clerk-app --demo``: run_gui starts the simulator and stops it when the window closes."""
    from clerk_app.services.inbox import demo_simulator
    from clerk_app.ui import app as gui

    if not settings.is_embedded:
        pytest.skip("the shared database asks for a sign-in first")
    started: list[demo_simulator.DemoSimulator] = []
    seen_running: list[bool] = []
    real_start = demo_simulator.start_demo_simulator

    def start(s: Settings, *, letters: int = 12) -> demo_simulator.DemoSimulator:
        demo = real_start(s, letters=letters)
        started.append(demo)
        QTimer.singleShot(0, lambda: seen_running.append(demo.simulator.running))
        return demo

    monkeypatch.setattr(demo_simulator, "start_demo_simulator", start)
    monkeypatch.setattr(gui, "_fill_demo_if_empty", lambda ctx: None)  # 320 letters: not here
    # Process-wide hooks stay pytest-qt's; the UI language goes back to English after.
    monkeypatch.setattr(gui, "setup_logging", lambda folder: folder / "kancelaria.log")
    monkeypatch.setattr(gui, "install_crash_handler", lambda log_file: None)
    monkeypatch.setattr(gui, "install_qt_message_handler", lambda: None)
    try:
        assert gui.run_gui(settings, demo=True, quit_after_start=True) == 0
    finally:
        install_language(qapp, "en")
    assert len(started) == 1 and seen_running == [True]
    assert started[0].configured and not started[0].simulator.running
