"""Template editor: the office copy's source, its placeholders, a live PDF preview, versions.

Typing restarts a short timer; when it fires, the source is rendered with sample
data in a background runnable (one at a time; while one runs only the newest
source waits, older ones are dropped). The preview shows the PDF, or the error
in Polish naming the line, which is also highlighted. Saving is possible only
while the current text has rendered; the service checks it again and refuses
the save if another editor saved a newer version meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkError
from clerk_app.services.templates import TemplateService, TemplateState
from clerk_app.services.templates_sample import TemplateSourceError
from clerk_app.ui.pdf_preview import PdfError, PdfPreview
from clerk_app.ui.workers import Job

log = logging.getLogger("clerk_app.ui.template_editor")

PREVIEW_DELAY_MS = 400  # typing pauses longer than this refresh the preview


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class _PreviewSignals(QObject):
    done = Signal(int, object, str, object)  # generation, PDF bytes | None, error, line | None


class _PreviewRun(QRunnable):
    def __init__(
        self, render: Callable[[], bytes], generation: int, signals: _PreviewSignals
    ) -> None:
        super().__init__()
        self._render = render
        self._generation = generation
        self._signals = signals

    def run(self) -> None:
        try:
            pdf = self._render()
        except TemplateSourceError as exc:
            self._signals.done.emit(self._generation, None, str(exc), exc.line)
        except ClerkError as exc:
            self._signals.done.emit(self._generation, None, str(exc), None)
        except Exception:
            log.exception("Template preview failed")
            self._signals.done.emit(self._generation, None, "", None)
        else:
            self._signals.done.emit(self._generation, pdf, "", None)


class TemplateEditorDialog(QDialog):
    """Edit the office copy of one template."""

    saved = Signal(str)  # template name

    def __init__(self, service: TemplateService, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.name = name
        self.state: TemplateState = service.current(name)
        # Own single-thread pool: previews run one at a time and are waited for on close.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._generation = 0
        self._rendered_generation = -1  # the newest generation that rendered without error
        self._running = False
        self._queued = False
        self.save_job: Job | None = None
        self.error_line: int | None = None

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.status = QLabel()
        self.source = QPlainTextEdit()
        self.source.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a00000;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.placeholders = QListWidget()
        self.history = QListWidget()
        self.load_version_button = QPushButton()
        self.preview = PdfPreview()
        self.note = QLineEdit()
        self.revert_button = QPushButton()
        self.save_button = QPushButton()
        self.close_button = QPushButton()
        self._placeholders_label = QLabel()

        side = QTabWidget()
        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        fields_layout.addWidget(self._placeholders_label)
        fields_layout.addWidget(self.placeholders)
        versions = QWidget()
        versions_layout = QVBoxLayout(versions)
        versions_layout.addWidget(self.history)
        versions_layout.addWidget(self.load_version_button)
        side.addTab(fields, "")
        side.addTab(versions, "")
        self._side = side
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.source, 1)
        editor_layout.addWidget(self.error)
        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(editor)
        splitter.addWidget(self.preview)
        splitter.setSizes([220, 520, 460])
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1200, 760)

        self._signals = _PreviewSignals(self)
        self._signals.done.connect(self._on_preview)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.render_preview)
        self.source.textChanged.connect(self._on_text_changed)
        self.placeholders.itemDoubleClicked.connect(self._insert_placeholder)
        self.load_version_button.clicked.connect(self._load_version)
        self.history.currentRowChanged.connect(self._update_buttons)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)

        self.retranslate()
        for placeholder in service.placeholders(name):
            item = QListWidgetItem(placeholder.path)
            item.setToolTip(placeholder.example)
            item.setData(Qt.ItemDataRole.UserRole, placeholder.path)
            self.placeholders.addItem(item)
        self._show_state()
        self.source.setPlainText(self.state.source)  # starts the first preview

    # -- state --

    def _show_state(self) -> None:
        state = self.state
        self.heading.setText(state.title)
        if state.office_copy:
            when = (
                state.changed_at.astimezone().strftime("%Y-%m-%d %H:%M") if state.changed_at else ""
            )
            self.status.setText(
                self.tr("Office copy, version {0} ({1}, {2})").format(
                    state.version, when, state.changed_by
                )
            )
        else:
            self.status.setText(self.tr("The shipped default is in use."))
        self.history.clear()
        for version in self.service.history(self.name):
            when = _local_time(version.created_at)
            what = self.tr("back to the shipped default") if version.is_default else version.note
            text = f"{version.version}. {when} · {version.author}" + (f" · {what}" if what else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, version.version)
            self.history.addItem(item)
        self._update_buttons()

    @property
    def renders(self) -> bool:
        """The text in the editor rendered a preview without error."""
        return self._rendered_generation == self._generation and not self._timer.isActive()

    @property
    def busy(self) -> bool:
        return (
            self._running
            or self._timer.isActive()
            or (self.save_job is not None and not self.save_job.done)
        )

    def _update_buttons(self) -> None:
        may_edit = self.service.may_edit
        saving = self.save_job is not None and not self.save_job.done
        changed = self.source.toPlainText() != self.state.source
        self.save_button.setEnabled(may_edit and self.renders and changed and not saving)
        self.revert_button.setEnabled(may_edit and self.state.office_copy and not saving)
        self.load_version_button.setEnabled(self.history.currentRow() >= 0)
        self.source.setReadOnly(not may_edit)
        self.note.setEnabled(may_edit)

    # -- live preview --

    @Slot()
    def _on_text_changed(self) -> None:
        self._generation += 1
        self._timer.start()
        self._update_buttons()

    @Slot()
    def render_preview(self) -> None:
        """Render the current text now (the timer calls this after a pause in typing)."""
        self._timer.stop()
        if self._running:
            self._queued = True  # only the newest text is rendered next
            return
        self._running = True
        self._queued = False
        service, name, source = self.service, self.name, self.source.toPlainText()
        self._pool.start(
            _PreviewRun(lambda: service.preview(name, source), self._generation, self._signals)
        )

    @Slot(int, object, str, object)
    def _on_preview(self, generation: int, pdf: object, error: str, line: object) -> None:
        self._running = False
        if self._queued or generation != self._generation:
            if not self._timer.isActive():
                self.render_preview()
            return
        if isinstance(pdf, bytes):
            try:
                self.preview.set_pdf(pdf, keep_page=True)
            except PdfError:
                log.exception("The preview PDF could not be opened")
            self._rendered_generation = generation
            self._show_error("", None)
        else:
            self._show_error(error or self.tr("The preview failed; see the log."), line)
        self._update_buttons()

    def _show_error(self, text: str, line: object) -> None:
        self.error.setText(text)
        self.error_line = line if isinstance(line, int) else None
        selections = []
        if self.error_line is not None:
            block = self.source.document().findBlockByLineNumber(self.error_line - 1)
            if block.isValid():
                selection = QTextEdit.ExtraSelection()
                selection.format.setBackground(QColor("#ffd6d6"))
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.cursor = QTextCursor(block)
                selections.append(selection)
        self.source.setExtraSelections(selections)

    # -- editing helpers --

    @Slot(QListWidgetItem)
    def _insert_placeholder(self, item: QListWidgetItem) -> None:
        if not self.source.isReadOnly():
            self.source.insertPlainText("{{ " + str(item.data(Qt.ItemDataRole.UserRole)) + " }}")
            self.source.setFocus()

    @Slot()
    def _load_version(self) -> None:
        item = self.history.currentItem()
        if item is None:
            return
        try:
            text = self.service.version_source(self.name, int(item.data(Qt.ItemDataRole.UserRole)))
        except ClerkError as exc:
            self._show_error(str(exc), None)
            return
        self.source.setPlainText(text)

    # -- saving --

    @Slot()
    def save(self) -> None:
        if not self.renders:
            return
        service, name, source = self.service, self.name, self.source.toPlainText()
        base, note = self.state.version, self.note.text()

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return service.save(name, source, base_version=base, note=note)

        self._start_save(work, self.tr("Saving the template…"))

    @Slot()
    def revert(self) -> None:
        service, name, base = self.service, self.name, self.state.version

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            return service.revert_to_default(name, base_version=base)

        self._start_save(work, self.tr("Restoring the shipped template…"))

    def _start_save(self, work: Callable[..., Any], label: str) -> None:
        job = Job(work, label, self, self._pool)
        job.finished.connect(self._on_saved)
        job.failed.connect(self._on_save_failed)
        self.save_job = job
        self._update_buttons()

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        if isinstance(result, TemplateState):
            self.state = result
            self.note.clear()
            self._show_state()
            if self.source.toPlainText() != result.source:
                self.source.setPlainText(result.source)  # after a revert: the default's text
            self.saved.emit(self.name)
        self._update_buttons()

    @Slot(str)
    def _on_save_failed(self, text: str) -> None:
        self._update_buttons()
        self._show_error(text, None)

    # -- closing and language --

    def done(self, result: int) -> None:
        self._timer.stop()
        self._pool.waitForDone(30_000)  # a running preview reports to this dialog's signals
        super().done(result)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Letter template"))
        self._placeholders_label.setText(self.tr("Double-click inserts a placeholder:"))
        self._side.setTabText(0, self.tr("Placeholders"))
        self._side.setTabText(1, self.tr("Versions"))
        self.load_version_button.setText(self.tr("Load this version into the editor"))
        self.note.setPlaceholderText(self.tr("What changed (optional)"))
        self.revert_button.setText(self.tr("Restore the shipped template"))
        self.save_button.setText(self.tr("Save office copy"))
        self.close_button.setText(self.tr("Close"))
