"""Read-only details of one register entry (opening it is audited by the service)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from clerk_app.services.register_query import EntryDetails
from clerk_app.ui.models.labels import CHANNELS, DIRECTIONS, no_data, pl_date, tr


class EntryDetailsDialog(QDialog):
    def __init__(self, details: EntryDetails, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = details.row
        self.setWindowTitle(self.tr("Register entry {0}").format(row.number))
        self.values: dict[str, str] = {}

        def unknowable(name: str, value: str | None) -> str:
            return no_data() if name in row.unknown_fields else (value or "")

        fields = [
            ("number", self.tr("Number:"), row.number),
            ("register", self.tr("Register:"), tr(DIRECTIONS[row.direction])),
            ("date", self.tr("Date received / sent:"), pl_date(row.received_on or row.sent_on)),
            ("title", self.tr("Title:"), unknowable("title", row.title)),
            ("sender", self.tr("Sender / addressee:"), unknowable("sender", row.sender)),
            (
                "letter_date",
                self.tr("Letter date:"),
                unknowable("letter_date", pl_date(row.letter_date)),
            ),
            ("letter_ref", self.tr("Reference:"), unknowable("letter_ref", row.letter_ref)),
            ("channel", self.tr("Channel:"), tr(CHANNELS[row.channel])),
            ("tracking", self.tr("Tracking no.:"), row.tracking_no),
            (
                "assigned",
                self.tr("Assigned to:"),
                " / ".join(p for p in (row.assigned_unit, row.assigned_user) if p),
            ),
            ("instruction", self.tr("Instruction:"), details.instruction),
            ("attachments", self.tr("Attachments:"), str(row.attachment_count)),
            ("files", self.tr("Files:"), "\n".join(details.attachment_names)),
            ("case", self.tr("Case:"), row.case_sign or ""),
            ("notes", self.tr("Notes:"), row.notes),
            ("registered_by", self.tr("Registered by:"), details.registered_by or ""),
            (
                "registered_at",
                self.tr("Registered at:"),
                row.registered_at.astimezone().strftime("%d.%m.%Y %H:%M"),
            ),
            ("version", self.tr("Version:"), str(row.version)),
        ]
        if row.needs_attention:
            fields.append(("attention", self.tr("Needs attention:"), details.attention_reason))
        form = QFormLayout()
        for key, label, value in fields:
            shown = value or ""
            self.values[key] = shown
            widget = QLabel(shown)
            widget.setObjectName(f"value_{key}")
            widget.setWordWrap(True)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
