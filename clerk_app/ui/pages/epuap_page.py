"""The ePUAP inbox page: queue count, "synchronise now" in the background, last result, attention.

Never touches SQL or HTTP: it calls a Qt-free backend (``InboxService``). Work runs in
QRunnables; results reach the GUI thread only through signals of a relay QObject created in the
GUI thread. The progress dialog appears only after ~0.5 s and its Cancel sets a flag the sync
loop checks between documents.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger("clerk_app.ui.epuap")

PROGRESS_DELAY_MS = 500


class InboxBackend(Protocol):
    """What the page needs; :class:`clerk_app.services.inbox.service.InboxService` fits."""

    def synchronise(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> Any: ...

    def queue_count(self) -> int: ...

    def last_result(self) -> Any: ...

    def needing_attention(self, limit: int = 200) -> list[Any]: ...

    def sync_interval_minutes(self) -> int: ...

    def auto_sync_enabled(self) -> bool: ...


class OutboxBackend(Protocol):
    """Sending; :class:`clerk_app.services.inbox.outbox.OutboxService` fits."""

    def waiting(self, limit: int = 500) -> list[Any]: ...

    def send(self, entry_number: str, *, operation: str = "nadaj") -> Any: ...


class _Relay(QObject):
    """Lives in the GUI thread; workers emit, the page's slots run in the GUI thread."""

    progressed = Signal(int, int, str)
    synced = Signal(object)
    counted = Signal(object)
    failed = Signal(str)
    sent = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], done: Any, relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._done = done
        self._relay = relay

    def run(self) -> None:
        from clerk_app.errors import ClerkError

        try:
            result = self._work()
        except ClerkError as exc:
            self._relay.failed.emit(str(exc))
        except Exception as exc:
            log.exception("ePUAP background job failed")
            self._relay.failed.emit(f"Nieoczekiwany błąd: {type(exc).__name__}: {exc}")
        else:
            self._done.emit(result)


class EpuapPage(QWidget):
    """``EpuapPage(backend, parent=None, outbox=None)``; emits ``registered`` with new register
    numbers. With an ``outbox`` backend it also lists outgoing letters waiting to be sent and
    sends the selected one ("Send through ePUAP"), in the background."""

    registered = Signal(object)  # tuple of register numbers added by a sync
    letter_sent = Signal(object)  # the send outcome of one outgoing letter

    def __init__(
        self,
        backend: InboxBackend,
        parent: QWidget | None = None,
        outbox: OutboxBackend | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.outbox = outbox
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progress)
        self._relay.synced.connect(self._on_synced)
        self._relay.counted.connect(self._on_counted)
        self._relay.failed.connect(self._on_failed)
        self._relay.sent.connect(self._on_sent)
        self._sending = False
        self._cancel = threading.Event()
        self._running = False
        self.progress_dialog: QProgressDialog | None = None

        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.queue_label = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh_queue)
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.synchronise_now)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self._attention_heading = QLabel()
        self.attention_list = QListWidget()
        self._outbox_heading = QLabel()
        self.outbox_list = QListWidget()
        self.outbox_list.itemSelectionChanged.connect(self._update_send_button)
        self.send_button = QPushButton()
        self.send_button.clicked.connect(self.send_selected)
        self.send_status = QLabel()
        self.send_status.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.queue_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self._attention_heading)
        layout.addWidget(self.attention_list, 1)
        if outbox is not None:
            send_row = QHBoxLayout()
            send_row.addWidget(self._outbox_heading, 1)
            send_row.addWidget(self.send_button)
            layout.addLayout(send_row)
            layout.addWidget(self.outbox_list, 1)
            layout.addWidget(self.send_status)

        self.auto_timer = QTimer(self)
        self.auto_timer.timeout.connect(self.synchronise_now)
        self.retranslate()
        self.reload()

    # ------------------------------------------------------------------ display

    def retranslate(self) -> None:
        self._heading.setText(self.tr("ePUAP inbox"))
        self.refresh_button.setText(self.tr("Check queue"))
        self.sync_button.setText(self.tr("Synchronise now"))
        self._attention_heading.setText(self.tr("Documents needing attention:"))
        self._outbox_heading.setText(self.tr("Outgoing letters waiting to be sent:"))
        self.send_button.setText(self.tr("Send through ePUAP"))
        if not self.queue_label.text():
            self.queue_label.setText(self.tr("Waiting in the box: not checked"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self) -> None:
        """Last result, attention list and the automatic timer, from the backend (local data)."""
        last = self.backend.last_result()
        self._show_result(last)
        self.attention_list.clear()
        for item in self.backend.needing_attention():
            label = item.entry_number or item.kind.upper()
            title = f" — {item.title}" if item.title else ""
            self.attention_list.addItem(f"{label}{title}: {item.reason}")
        self.reload_outbox()
        if self.backend.auto_sync_enabled():
            self.auto_timer.start(max(1, self.backend.sync_interval_minutes()) * 60_000)
        else:
            self.auto_timer.stop()

    def _show_result(self, result: Any) -> None:
        if result is None:
            self.result_label.setText(self.tr("Last synchronisation: none yet"))
            return
        when = result.finished_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self.result_label.setText(
            self.tr("Last synchronisation:") + f" {when} — {result.summary()}"
        )
        if result.pending_before is not None and not result.errors:
            remaining = max(0, result.pending_before - result.confirmed)
            self.queue_label.setText(self.tr("Waiting in the box:") + f" {remaining}")

    def reload_outbox(self) -> None:
        """Outgoing ePUAP letters not sent yet (local data)."""
        if self.outbox is None:
            return
        selected = self.selected_entry_number()
        self.outbox_list.clear()
        for waiting in self.outbox.waiting():
            text = f"{waiting.number} — {waiting.title} → {waiting.recipient}"
            if not waiting.recipient_box:
                text += " " + self.tr("(no ePUAP box address)")
            if not waiting.pdf_name:
                text += " " + self.tr("(no PDF)")
            if waiting.state == "queued":
                text += " " + self.tr("(unconfirmed attempt: send again)")
            elif waiting.state == "failed":
                text += " " + self.tr("(refused:") + f" {waiting.error})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, waiting.number)
            self.outbox_list.addItem(item)
            if waiting.number == selected:
                item.setSelected(True)
        self._update_send_button()

    def selected_entry_number(self) -> str | None:
        items = self.outbox_list.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _update_send_button(self) -> None:
        self.send_button.setEnabled(not self._sending and self.selected_entry_number() is not None)

    # ------------------------------------------------------------------ actions

    @Slot()
    def send_selected(self) -> None:
        """Send the selected outgoing letter through ePUAP (WS-Skrytka nadaj) in the background."""
        number = self.selected_entry_number()
        if self.outbox is None or number is None or self._sending:
            return
        self._sending = True
        self._update_send_button()
        self.error_label.clear()
        self.send_status.setText(self.tr("Sending") + f" {number}…")
        outbox = self.outbox
        self.pool.start(_Job(lambda: outbox.send(number), self._relay.sent, self._relay))

    @property
    def is_running(self) -> bool:
        return self._running

    @Slot()
    def refresh_queue(self) -> None:
        if self._running:
            return
        self.refresh_button.setEnabled(False)
        self.pool.start(_Job(self.backend.queue_count, self._relay.counted, self._relay))

    @Slot()
    def synchronise_now(self) -> None:
        if self._running:
            return
        self._running = True
        self._cancel.clear()
        self.error_label.clear()
        self.sync_button.setEnabled(False)
        dialog = QProgressDialog(
            self.tr("Synchronising the ePUAP inbox…"), self.tr("Cancel"), 0, 0, self
        )
        dialog.setWindowTitle(self.tr("ePUAP"))
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        self.progress_dialog = dialog
        relay = self._relay

        def work() -> Any:
            return self.backend.synchronise(
                progress=lambda done, total, text: relay.progressed.emit(done, total, text),
                cancel=self._cancel.is_set,
            )

        self.pool.start(_Job(work, relay.synced, relay))

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()

    # ------------------------------------------------------------------ results (GUI thread)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setMaximum(max(total, 1))
            self.progress_dialog.setValue(min(done, max(total, 1)))
            self.progress_dialog.setLabelText(text)

    def _finish(self) -> None:
        self._running = False
        self.sync_button.setEnabled(True)
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect(self.cancel)
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    @Slot(object)
    def _on_synced(self, result: Any) -> None:
        self._finish()
        if result.errors:
            self.error_label.setText(" ".join(result.errors))
        self.reload()
        self._show_result(result)
        if result.registered:
            self.registered.emit(tuple(result.registered))

    @Slot(object)
    def _on_counted(self, count: Any) -> None:
        self.refresh_button.setEnabled(True)
        self.queue_label.setText(self.tr("Waiting in the box:") + f" {count}")

    @Slot(object)
    def _on_sent(self, outcome: Any) -> None:
        self._sending = False
        self.send_status.setText(outcome.message)
        if not outcome.ok:
            self.error_label.setText(outcome.message)
        self.reload_outbox()
        self.letter_sent.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        if self._sending:
            self._sending = False
            self.send_status.clear()
            self.reload_outbox()
        if self._running:
            self._finish()
        self.error_label.setText(message)

    def shutdown(self) -> None:
        """Cancel a running sync and wait for the worker (window closing)."""
        self._cancel.set()
        self.auto_timer.stop()
        self.pool.waitForDone(30_000)
