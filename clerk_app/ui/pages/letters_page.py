"""Letters: pick a case and a template, edit the prefilled fields, preview, save.

The page talks only to ``LetterService`` (plain dataclasses back). Preview renders
the PDF in the background and shows it in the page's own preview (``PdfPreview``,
with printing); saving one addressee attaches the letter to the case and
registers it; several addressees run a mail merge (one letter and register entry
each, plus the combined PDF, labels and the dispatch book page in a folder; the
combined PDF is shown for printing). "Edit template…" opens the template editor
for the office copy of the chosen template. The template drop-down shows the
titles the office's letters use (an edited copy's own title, marked as the office
copy) and follows the editor's saves and reverts through the hub.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QThreadPool, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkError
from clerk_app.services.app_context import AppContext
from clerk_app.services.letters import (
    FieldSpec,
    LetterContext,
    LetterService,
    MergeResult,
    SavedLetter,
    TemplateInfo,
)
from clerk_app.services.templates import TemplateService
from clerk_app.services.users import CurrentUser
from clerk_app.ui.dialogs.template_editor import TemplateEditorDialog
from clerk_app.ui.hub import Hub
from clerk_app.ui.pdf_preview import PdfError, PdfPreview
from clerk_app.ui.workers import Job

FileOpener = Callable[[Path], None]


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class LettersPage(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        hub: Hub,
        parent: QWidget | None = None,
        *,
        open_file: FileOpener | None = None,
        pool: QThreadPool | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.hub = hub
        self.service = LetterService(ctx.db, ctx.blobs, user, today=today)
        self.template_service = TemplateService(ctx.db, user, today=today)
        self.template_editor: TemplateEditorDialog | None = None
        # Shown in the page's preview; a given opener also gets each file (tests, callers).
        self._open_file = open_file
        self._pool = pool
        self._templates: list[TemplateInfo] = self.service.templates_in_use()
        self.context: LetterContext | None = None
        self.editors: dict[str, QWidget] = {}
        self.job: Job | None = None
        self.saved: list[SavedLetter] = []
        self.output_dir = Path(tempfile.mkdtemp(prefix="kancelaria-pisma-"))

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.case_sign = QLineEdit()
        self.load_button = QPushButton()
        self.case_title = QLabel()
        self.template = QComboBox()
        for info in self._templates:
            self.template.addItem(info.title, info.name)  # texts: _show_template_titles
        self.parties = QListWidget()
        self.parties.setMaximumHeight(120)
        self.form = QFormLayout()
        self.edit_template_button = QPushButton()
        self.preview_button = QPushButton()
        self.save_button = QPushButton()
        self.pdf_view = PdfPreview()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._case_label = QLabel()
        self._template_label = QLabel()
        self._parties_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self._case_label)
        top.addWidget(self.case_sign, 1)
        top.addWidget(self.load_button)
        pick = QHBoxLayout()
        pick.addWidget(self._template_label)
        pick.addWidget(self.template, 1)
        pick.addWidget(self.edit_template_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        form_side = QWidget()
        layout = QVBoxLayout(form_side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.case_title)
        layout.addLayout(pick)
        layout.addWidget(self._parties_label)
        layout.addWidget(self.parties)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        splitter = QSplitter()
        splitter.addWidget(form_side)
        splitter.addWidget(self.pdf_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

        self.load_button.clicked.connect(self.load_case)
        self.case_sign.returnPressed.connect(self.load_case)
        self.template.currentIndexChanged.connect(self._rebuild_fields)
        self.edit_template_button.clicked.connect(self.edit_template)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        hub.changed.connect(self._on_hub_changed)
        self.retranslate()
        self._rebuild_fields()
        self._update_buttons()

    # -- case and fields --

    def current_template(self) -> TemplateInfo:
        return self._templates[max(self.template.currentIndex(), 0)]

    def _show_template_titles(self) -> None:
        """Item texts from ``_templates``; the items, and so the chosen one, stay put."""
        marker = self.tr("(office copy)")
        for row, info in enumerate(self._templates):
            self.template.setItemText(
                row, f"{info.title} {marker}" if info.office_copy else info.title
            )

    def refresh_templates(self) -> None:
        """Re-read which templates the office uses (after an office copy was saved or reverted).

        Only the titles change: the same templates in the same order, so the clerk's
        choice and the fields already filled in are kept.
        """
        try:
            # The shipped names and their order are fixed while the program runs.
            self._templates = self.service.templates_in_use()
        except ClerkError as exc:
            self._show_error(str(exc))
            return
        self._show_template_titles()

    @Slot(str, object)
    def _on_hub_changed(self, kind: str, ids: object) -> None:
        if kind == "letter_template":
            self.refresh_templates()

    @Slot()
    def load_case(self) -> None:
        sign = self.case_sign.text().strip()
        if not sign:
            return
        try:
            self.context = self.service.case_context(sign)
        except ClerkError as exc:
            self.context = None
            self._show_error(str(exc))
            self.parties.clear()
            self._update_buttons()
            return
        self.case_title.setText(f"{self.context.sign}: {self.context.title}")
        self.parties.clear()
        for party in self.context.parties:
            text = f"{party.name} — {party.address_line}" if party.address_line else party.name
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, party.correspondent_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if party.has_address else Qt.CheckState.Unchecked
            )
            self.parties.addItem(item)
        self.status.clear()
        self._rebuild_fields()
        self._update_buttons()

    @Slot()
    def _rebuild_fields(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        data = self.context.data if self.context else {}
        for spec in self.current_template().fields:
            editor = self._editor(spec, _lookup(data, spec.name))
            self.editors[spec.name] = editor
            self.form.addRow(spec.label, editor)

    @staticmethod
    def _editor(spec: FieldSpec, value: Any) -> QWidget:
        if spec.kind == "multiline":
            text_edit = QPlainTextEdit("" if value is None else str(value))
            text_edit.setMaximumHeight(90)
            return text_edit
        if spec.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        if spec.kind == "int":
            spin = QSpinBox()
            spin.setRange(0, 365)
            spin.setValue(int(value) if isinstance(value, int) else 0)
            return spin
        line = QLineEdit("" if value is None else str(value))
        if spec.kind == "date":
            line.setPlaceholderText("RRRR-MM-DD")
        return line

    def field_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QPlainTextEdit):
                values[name] = editor.toPlainText()
            elif isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                values[name] = editor.value()
            elif isinstance(editor, QLineEdit):
                values[name] = editor.text().strip()
        return values

    def checked_addressees(self) -> list[int]:
        ids = []
        for row in range(self.parties.count()):
            item = self.parties.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def set_field(self, name: str, value: Any) -> None:
        """Set an editor's value (used by tests and by callers prefilling a field)."""
        editor = self.editors[name]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(value))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))

    # -- actions --

    def _update_buttons(self) -> None:
        busy = self.job is not None and not self.job.done
        ready = self.context is not None and not busy
        self.preview_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _run(self, work: Callable[..., Any], label: str, done: Callable[[object], None]) -> None:
        job = Job(work, label, self, self._pool)
        job.finished.connect(done)
        job.failed.connect(self._on_failed)
        self.job = job
        self._update_buttons()

    @Slot()
    def preview(self) -> None:
        if self.context is None:
            return
        ids = self.checked_addressees()
        if not ids:
            self._show_error(self.tr("Tick at least one addressee."))
            return
        template, sign, fields = (
            self.current_template().name,
            self.context.sign,
            self.field_values(),
        )
        target = self.output_dir / f"podglad_{template}.pdf"

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Path:
            target.write_bytes(self.service.preview(template, sign, fields, ids[:1]))
            return target

        self._run(work, self.tr("Rendering the letter…"), self._on_previewed)

    @Slot()
    def save(self) -> None:
        if self.context is None:
            return
        ids = self.checked_addressees()
        if not ids:
            self._show_error(self.tr("Tick at least one addressee."))
            return
        template, sign, fields = (
            self.current_template().name,
            self.context.sign,
            self.field_values(),
        )
        service = self.service

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            if len(ids) == 1:
                return service.save(template, sign, fields, ids[0])
            return service.mail_merge(
                template, sign, fields, ids, progress=progress, cancelled=cancelled
            )

        self._run(work, self.tr("Saving and registering the letters…"), self._on_saved)

    @Slot(object)
    def _on_previewed(self, result: object) -> None:
        self._update_buttons()
        if isinstance(result, Path):
            self.status.setStyleSheet("")
            self.status.setText(self.tr("Preview opened: {0}").format(str(result)))
            self._show_pdf(result)

    @Slot(object)
    def _on_saved(self, result: object) -> None:
        self._update_buttons()
        if isinstance(result, SavedLetter):
            saved = [result]
        elif isinstance(result, MergeResult):
            saved = list(result.letters)
            folder = self.output_dir
            (folder / "do_druku.pdf").write_bytes(result.combined_pdf)
            (folder / "etykiety.pdf").write_bytes(result.print_pdf)
            (folder / "ksiazka_nadawcza.pdf").write_bytes(result.dispatch_book_pdf)
            self._show_pdf(folder / "do_druku.pdf")
        else:
            self.status.setText(self.tr("Cancelled: nothing was registered."))
            return
        self.saved.extend(saved)
        numbers = ", ".join(s.number for s in saved)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Saved in the case and registered: {0}").format(numbers))
        self.hub.changed.emit("register", [s.entry_id for s in saved])
        if self.context is not None:
            self.hub.changed.emit("case", [self.context.case_id])

    def _show_pdf(self, path: Path) -> None:
        try:
            self.pdf_view.load_file(path)
        except (OSError, PdfError) as exc:
            self._show_error(self.tr("The PDF cannot be shown: {0}").format(str(exc)))
        if self._open_file is not None:
            self._open_file(path)

    @Slot()
    def edit_template(self) -> None:
        """Open the editor of the office copy of the chosen template (non-modal)."""
        try:
            dialog = TemplateEditorDialog(self.template_service, self.current_template().name, self)
        except ClerkError as exc:
            self._show_error(str(exc))
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.template_editor = dialog
        dialog.saved.connect(self._on_template_saved)
        dialog.finished.connect(self._on_editor_closed)
        dialog.open()

    @Slot(str)
    def _on_template_saved(self, name: str) -> None:
        # Through the hub, so every open view of templates (this page too) refreshes.
        self.hub.changed.emit("letter_template", [name])

    @Slot()
    def _on_editor_closed(self) -> None:
        self.template_editor = None

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self._update_buttons()
        self._show_error(text or self.tr("The letter could not be created; see the log."))

    def _show_error(self, text: str) -> None:
        self.status.setStyleSheet("color: #a00000;")
        self.status.setText(text)

    # -- language --

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Letters"))
        self._case_label.setText(self.tr("Case sign:"))
        self.case_sign.setPlaceholderText(self.tr("e.g. UA.6727.1.2026"))
        self.load_button.setText(self.tr("Load case"))
        self.edit_template_button.setText(self.tr("Edit template…"))
        self._template_label.setText(self.tr("Template:"))
        self._parties_label.setText(self.tr("Addressees (one letter each):"))
        self.preview_button.setText(self.tr("Preview"))
        self.save_button.setText(self.tr("Save and register"))
        self._show_template_titles()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
