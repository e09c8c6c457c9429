"""Intake form: register incoming mail quickly, keyboard only, Enter registers.

The form builds an ``IncomingDraft`` and hands it to the register service; it
shows the assigned number and clears itself for the next letter. When the
service refuses (``ValidationError``) the message appears above the buttons and
everything typed stays. The last channel and unit are remembered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, QStringListModel, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clerk_app.documents.sticker import StickerData, render_sticker_pdf
from clerk_app.errors import ClerkError, ValidationError
from clerk_app.models import Channel, CorrespondentKind
from clerk_app.services.register_query import Choice
from clerk_app.services.register_types import (
    AttachmentInput,
    CorrespondentInput,
    CorrespondentSummary,
    IncomingDraft,
    RegisterResult,
)
from clerk_app.ui.models.labels import CHANNELS, INCOMING_CHANNELS, tr

SUGGEST_AFTER = 3
SuggestFn = Callable[[str], list[CorrespondentSummary]]
RegisterFn = Callable[[IncomingDraft], RegisterResult]
Opener = Callable[[Path], object]


def open_in_viewer(path: Path) -> bool:
    """Hand a saved PDF to the system's viewer (which prints it)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def sticker_file_name(number: str) -> str:
    """``RPW/123/2026`` -> ``naklejka-RPW-123-2026.pdf``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in number)
    return f"naklejka-{safe}.pdf"


class AttachmentList(QListWidget):
    """Files dropped here (or added with the button) go with the entry."""

    changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setMaximumHeight(80)
        self.paths: list[Path] = []

    def add_paths(self, paths: Sequence[Path]) -> None:
        for path in paths:
            if path.is_file() and path not in self.paths:
                self.paths.append(path)
                self.addItem(path.name)
        self.changed.emit(len(self.paths))

    def clear_paths(self) -> None:
        self.paths.clear()
        self.clear()
        self.changed.emit(0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if not urls:
            super().dropEvent(event)
            return
        self.add_paths([Path(u.toLocalFile()) for u in urls if u.isLocalFile()])
        event.acceptProposedAction()


def parse_pl_date(text: str) -> date | None:
    """``dd.mm.yyyy`` (also ``d.m.yyyy`` and ISO) → date; empty → None; else ValueError."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def split_person(name: str) -> tuple[str, str]:
    """ "Jan Maria Kowalski" → ("Jan Maria", "Kowalski")."""
    parts = name.split()
    if len(parts) < 2:
        return "", name.strip()
    return " ".join(parts[:-1]), parts[-1]


class IntakeDialog(QDialog):
    registered = Signal(object)  # entry id (may exceed 2**31)

    def __init__(
        self,
        *,
        register: RegisterFn,
        suggest: SuggestFn | None,
        units: list[Choice],
        handlers: list[Choice],
        state: QSettings | None = None,
        today: Callable[[], date] = date.today,
        sticker_dir: Path | None = None,
        office_name: str = "",
        opener: Opener = open_in_viewer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Register incoming mail"))
        self._register = register
        self._suggest = suggest
        self._state = state
        self._today = today
        self._suggestions: dict[str, CorrespondentSummary] = {}
        self.selected_sender: CorrespondentSummary | None = None
        self.last_result: RegisterResult | None = None
        self.last_sticker: Path | None = None
        self._sticker_dir = sticker_dir
        self._office_name = office_name
        self._opener = opener

        self.received = QDateEdit()
        self.received.setDisplayFormat("dd.MM.yyyy")
        self.received.setCalendarPopup(True)
        self.title = QLineEdit()
        self.title_unknown = QCheckBox(self.tr("no data"))
        self.sender = QLineEdit()
        self.sender.setPlaceholderText(self.tr("type 3 letters to search"))
        self.sender_kind = QComboBox()
        self.sender_kind.addItem(self.tr("person"), CorrespondentKind.PERSON.value)
        self.sender_kind.addItem(self.tr("institution"), CorrespondentKind.INSTITUTION.value)
        self.sender_unknown = QCheckBox(self.tr("no data"))
        self.sender_hint = QLabel()
        self.sender_hint.setStyleSheet("color: #555;")
        self.letter_date = QLineEdit()
        self.letter_date.setPlaceholderText(self.tr("dd.mm.yyyy"))
        self.letter_date_unknown = QCheckBox(self.tr("no data"))
        self.letter_ref = QLineEdit()
        self.letter_ref_unknown = QCheckBox(self.tr("no data"))
        self.channel = QComboBox()
        for channel in INCOMING_CHANNELS:
            self.channel.addItem(tr(CHANNELS[channel]), channel.value)
        self.tracking = QLineEdit()
        self.attachments = AttachmentList()
        self.add_files = QPushButton(self.tr("Add files…"))
        self.attachment_count = QSpinBox()
        self.attachment_count.setRange(0, 999)
        self.attachment_count.setSpecialValueText(self.tr("as files"))
        self.files_label = QLabel()
        self.unit = QComboBox()
        self.unit.addItem(self.tr("(none)"), None)
        for unit in units:
            self.unit.addItem(unit.label, unit.id)
        self.handler = QComboBox()
        self.handler.addItem(self.tr("(none)"), None)
        for handler in handlers:
            self.handler.addItem(handler.label, handler.id)
        self.instruction = QLineEdit()
        self.notes = QLineEdit()
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("result")
        self.result_label.setStyleSheet("font-weight: 600;")
        self.register_button = QPushButton(self.tr("Register"))
        self.register_button.setDefault(True)
        self.register_button.setAutoDefault(True)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.print_sticker = QCheckBox(self.tr("Print sticker"))
        self.print_sticker.setVisible(sticker_dir is not None)

        completer = QCompleter(self)
        self._completion_model = QStringListModel(self)
        completer.setModel(self._completion_model)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Filtering is the service's (diacritics folded); show what it returned.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated[str].connect(self._on_sender_chosen)
        self.sender.setCompleter(completer)
        self.sender.textEdited.connect(self._on_sender_edited)

        grid = QGridLayout()
        rows: list[tuple[str, list[QWidget]]] = [
            (self.tr("Date received:"), [self.received]),
            (self.tr("Title:"), [self.title, self.title_unknown]),
            (self.tr("Sender:"), [self.sender, self.sender_kind, self.sender_unknown]),
            ("", [self.sender_hint]),
            (self.tr("Letter date:"), [self.letter_date, self.letter_date_unknown]),
            (self.tr("Letter reference:"), [self.letter_ref, self.letter_ref_unknown]),
            (self.tr("Channel:"), [self.channel]),
            (self.tr("Tracking no.:"), [self.tracking]),
            (self.tr("Attachments:"), [self.attachments, self.add_files]),
            (self.tr("Number of attachments:"), [self.attachment_count, self.files_label]),
            (self.tr("Assign to unit:"), [self.unit]),
            (self.tr("Handler:"), [self.handler]),
            (self.tr("Instruction:"), [self.instruction]),
            (self.tr("Notes:"), [self.notes]),
        ]
        for r, (label, widgets) in enumerate(rows):
            if label:
                grid.addWidget(QLabel(label), r, 0)
            for c, widget in enumerate(widgets, start=1):
                grid.addWidget(widget, r, c)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_label, 1)
        buttons.addWidget(self.print_sticker)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        order: list[QWidget] = [
            self.received,
            self.title,
            self.title_unknown,
            self.sender,
            self.sender_kind,
            self.sender_unknown,
            self.letter_date,
            self.letter_date_unknown,
            self.letter_ref,
            self.letter_ref_unknown,
            self.channel,
            self.tracking,
            self.add_files,
            self.attachment_count,
            self.unit,
            self.handler,
            self.instruction,
            self.notes,
            self.print_sticker,
            self.register_button,
            self.close_button,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self.attachments.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        for box, field in (
            (self.title_unknown, self.title),
            (self.sender_unknown, self.sender),
            (self.letter_date_unknown, self.letter_date),
            (self.letter_ref_unknown, self.letter_ref),
        ):
            box.toggled.connect(lambda on, f=field: f.setEnabled(not on))
        self.sender_unknown.toggled.connect(lambda on: self.sender_kind.setEnabled(not on))
        self.attachments.changed.connect(self._on_files_changed)
        self.add_files.clicked.connect(self._choose_files)
        self.register_button.clicked.connect(self.submit)
        self.channel.currentIndexChanged.connect(self._update_sticker_box)
        self.close_button.clicked.connect(self.reject)

        self._restore_remembered()
        self._update_sticker_box()
        self._reset_for_next()

    # --- remembered choices -------------------------------------------------------------

    def _restore_remembered(self) -> None:
        self.received.setDate(QDate(self._today()))
        if self._state is None:
            return
        channel = self._state.value("intake/channel", Channel.PAPER.value)
        at = self.channel.findData(channel)
        self.channel.setCurrentIndex(max(at, 0))
        unit = self._state.value("intake/unit_id")
        if unit not in (None, ""):
            at = self.unit.findData(int(str(unit)))
            self.unit.setCurrentIndex(max(at, 0))
        self.print_sticker.setChecked(str(self._state.value("intake/sticker", "false")) == "true")

    def _remember(self) -> None:
        if self._state is None:
            return
        self._state.setValue("intake/channel", self.channel.currentData())
        unit = self.unit.currentData()
        self._state.setValue("intake/unit_id", "" if unit is None else unit)
        self._state.setValue(
            "intake/sticker", "true" if self.print_sticker.isChecked() else "false"
        )

    # --- intake sticker -------------------------------------------------------------------

    @Slot()
    def _update_sticker_box(self) -> None:
        # Only paper mail gets a sticker; the choice is kept for the next paper letter.
        self.print_sticker.setEnabled(self.channel.currentData() == Channel.PAPER.value)

    def wants_sticker(self) -> bool:
        return (
            self._sticker_dir is not None
            and self.print_sticker.isEnabled()
            and self.print_sticker.isChecked()
        )

    def save_sticker(self, draft: IncomingDraft, result: RegisterResult) -> Path | None:
        """Write the sticker PDF of a registered letter and open it for printing."""
        if self._sticker_dir is None:
            return None
        counted = draft.attachment_count
        data = StickerData(
            number=result.number,
            office_name=self._office_name,
            received_on=draft.received_on,
            attachment_count=counted if counted is not None else len(draft.attachments),
        )
        path = self._sticker_dir / sticker_file_name(result.number)
        try:
            self._sticker_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render_sticker_pdf(data))
        except OSError as exc:
            self.error_label.setText(
                self.tr("Sticker: cannot save {0}: {1}").format(path, exc.strerror or exc)
            )
            return None
        self.last_sticker = path
        self._opener(path)
        return path

    # --- sender autocompletion ------------------------------------------------------------

    @Slot(str)
    def _on_sender_edited(self, text: str) -> None:
        self.selected_sender = None
        self.sender_hint.clear()
        if self._suggest is None or len(text.strip()) < SUGGEST_AFTER:
            self._completion_model.setStringList([])
            return
        found = self._suggest(text)
        self._suggestions = {}
        for item in found:
            shown = (
                f"{item.display_name} – {item.address_line}"
                if item.address_line
                else (item.display_name)
            )
            self._suggestions[shown] = item
        self._completion_model.setStringList(list(self._suggestions))
        completer = self.sender.completer()
        if completer is not None and self._suggestions:
            completer.complete()

    @Slot(str)
    def _on_sender_chosen(self, shown: str) -> None:
        item = self._suggestions.get(shown)
        if item is None:
            return
        self.select_sender(item)

    def select_sender(self, item: CorrespondentSummary) -> None:
        self.selected_sender = item
        self.sender.setText(item.display_name)
        self.sender_hint.setText(item.address_line)

    # --- attachments ----------------------------------------------------------------------

    @Slot()
    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Attachments"))
        self.attachments.add_paths([Path(f) for f in files])

    @Slot(int)
    def _on_files_changed(self, count: int) -> None:
        self.files_label.setText(self.tr("%n file(s)", "", count))

    # --- the draft ------------------------------------------------------------------------

    def build_draft(self) -> IncomingDraft:
        """The form's content as the service's input; ValidationError for unreadable input."""
        unknown = {
            name
            for name, box in (
                ("title", self.title_unknown),
                ("sender", self.sender_unknown),
                ("letter_date", self.letter_date_unknown),
                ("letter_ref", self.letter_ref_unknown),
            )
            if box.isChecked()
        }
        letter_date = None
        if "letter_date" not in unknown:
            try:
                letter_date = parse_pl_date(self.letter_date.text())
            except ValueError:
                raise ValidationError(
                    f"Data pisma: „{self.letter_date.text().strip()}” nie jest datą "
                    "w formacie dd.mm.rrrr."
                ) from None
        correspondent_id = None
        new_correspondent = None
        name = self.sender.text().strip()
        if "sender" not in unknown and name:
            if self.selected_sender is not None and self.selected_sender.display_name == name:
                correspondent_id = self.selected_sender.id
            elif self.sender_kind.currentData() == CorrespondentKind.PERSON.value:
                first, last = split_person(name)
                new_correspondent = CorrespondentInput(
                    kind=CorrespondentKind.PERSON, first_name=first, last_name=last
                )
            else:
                new_correspondent = CorrespondentInput(
                    kind=CorrespondentKind.INSTITUTION, institution_name=name
                )
        counted = self.attachment_count.value()
        return IncomingDraft(
            received_on=self.received.date().toPython(),  # type: ignore[arg-type]
            channel=Channel(self.channel.currentData()),
            title=None if "title" in unknown else (self.title.text().strip() or None),
            correspondent_id=correspondent_id,
            new_correspondent=new_correspondent,
            letter_date=letter_date,
            letter_ref=None
            if "letter_ref" in unknown
            else (self.letter_ref.text().strip() or None),
            unknown=frozenset(unknown),
            tracking_no=self.tracking.text().strip(),
            assigned_unit_id=self.unit.currentData(),
            assigned_user_id=self.handler.currentData(),
            instruction=self.instruction.text().strip(),
            notes=self.notes.text().strip(),
            attachments=tuple(
                AttachmentInput(file_name=p.name, source=p) for p in self.attachments.paths
            ),
            attachment_count=counted if counted > 0 else None,
        )

    @Slot()
    def submit(self) -> None:
        self.error_label.clear()
        try:
            draft = self.build_draft()
            result = self._register(draft)
        except ClerkError as exc:
            self.error_label.setText(str(exc))
            self.result_label.clear()
            return
        self.last_result = result
        self.result_label.setText(self.tr("Registered as {0}").format(result.number))
        if self.wants_sticker():
            self.save_sticker(draft, result)
        self._remember()
        self._reset_for_next()
        self.registered.emit(result.entry_id)

    def _reset_for_next(self) -> None:
        """Clear the letter's own fields; keep date received, channel and unit."""
        for edit in (
            self.title,
            self.sender,
            self.letter_date,
            self.letter_ref,
            self.tracking,
            self.instruction,
            self.notes,
        ):
            edit.clear()
        for box in (
            self.title_unknown,
            self.sender_unknown,
            self.letter_date_unknown,
            self.letter_ref_unknown,
        ):
            box.setChecked(False)
        self.selected_sender = None
        self.sender_hint.clear()
        self.sender_kind.setCurrentIndex(0)
        self.handler.setCurrentIndex(0)
        self.attachment_count.setValue(0)
        self.attachments.clear_paths()
        self.title.setFocus()
