"""Details of one case: its data, deadline, linked register entries and history (metryka).

Opening the case and its history is audited by ``CaseService``; the dialog only
shows plain data. "Print the history" saves the metryka sprawy as a PDF
(``documents.case_history_pdf``) and opens it in the system viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app.documents.case_history_pdf import CaseHistoryRenderError, write_case_history_pdf
from clerk_app.models import Direction
from clerk_app.services.case_history import CaseHistory
from clerk_app.services.cases import CaseDetail
from clerk_app.services.kpa_deadlines import DeadlineState, DeadlineStatus
from clerk_app.ui.models.labels import CASE_STATUSES, DIRECTIONS, pl_date, tr

Opener = Callable[[Path], object]


def open_file(path: Path) -> bool:
    """Open a saved document in the system's viewer."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    return table


class CaseDetailsDialog(QDialog):
    def __init__(
        self,
        detail: CaseDetail,
        history: CaseHistory,
        office_name: str = "",
        *,
        opener: Opener = open_file,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        case = detail.case
        self.detail = detail
        self.history = history
        self._office_name = office_name
        self._opener = opener
        self.last_pdf: Path | None = None
        self.values: dict[str, str] = {}
        self.setWindowTitle(self.tr("Case {0}").format(case.sign))

        assigned = case.handler_name or self.tr("not assigned")
        fields = [
            ("sign", self.tr("Case sign:"), case.sign),
            ("title", self.tr("Title:"), case.title),
            ("unit", self.tr("Unit:"), case.unit_symbol),
            ("jrwa", self.tr("JRWA class:"), f"{case.jrwa_symbol} {case.jrwa_title}".strip()),
            ("handler", self.tr("Handler:"), assigned),
            ("status", self.tr("Status:"), tr(CASE_STATUSES[case.status])),
            ("opened", self.tr("Opened:"), pl_date(case.opened_on) or ""),
            ("closed", self.tr("Closed:"), pl_date(case.closed_on) or ""),
            ("outcome", self.tr("Outcome:"), case.outcome),
            ("deadline", self.tr("Deadline:"), self._deadline_text(detail.deadline)),
        ]
        if detail.pauses:
            fields.append(
                (
                    "pauses",
                    self.tr("Pauses:"),
                    "\n".join(
                        f"{p.reason_label}: {pl_date(p.started_on)} – {pl_date(p.ended_on) or '…'}"
                        for p in detail.pauses
                    ),
                )
            )
        form = QFormLayout()
        for key, label, value in fields:
            self.values[key] = value
            widget = QLabel(value)
            widget.setObjectName(f"value_{key}")
            widget.setWordWrap(True)
            form.addRow(label, widget)
        details_tab = QWidget()
        details_tab.setLayout(form)

        self.entries = _table(
            [
                self.tr("Number"),
                self.tr("Register"),
                self.tr("Date"),
                self.tr("Title"),
                self.tr("Sender / addressee"),
            ],
            [
                [
                    e.number,
                    tr(DIRECTIONS[Direction(e.direction)]),
                    pl_date(e.on) or "",
                    e.title or "",
                    e.sender or "",
                ]
                for e in detail.entries
            ],
        )
        self.history_table = _table(
            [
                self.tr("No."),
                self.tr("Date"),
                self.tr("Person"),
                self.tr("Action"),
                self.tr("Document"),
            ],
            [
                [str(h.no), pl_date(h.action_date) or "", h.person, h.what_done, h.document_id]
                for h in history.rows
            ],
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(details_tab, self.tr("Details"))
        self.tabs.addTab(self.entries, self.tr("Documents ({0})").format(len(detail.entries)))
        self.tabs.addTab(self.history_table, self.tr("History ({0})").format(len(history.rows)))

        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print the history (PDF)…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self._ask_print)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def _deadline_text(self, status: DeadlineStatus | None) -> str:
        if status is None:
            return self.tr("no deadline")
        due = pl_date(status.due_on) or ""
        if status.state is DeadlineState.SETTLED_IN_TIME:
            text = self.tr("due {0}, settled in time").format(due)
        elif status.state is DeadlineState.SETTLED_LATE:
            text = self.tr("due {0}, settled late").format(due)
        elif status.overdue:
            text = self.tr("due {0}, overdue by %n day(s)", "", status.days_overdue).format(due)
        elif status.clock_stopped:
            text = self.tr("due {0} or later, the clock is paused").format(due)
        else:
            text = self.tr("due {0}, %n day(s) left", "", status.days_left).format(due)
            if status.at_risk:
                text += " – " + self.tr("at risk")
        if status.delay_notice_due:
            text += " – " + self.tr("a delay notice (art. 36 KPA) is due")
        return text

    @Slot()
    def _ask_print(self) -> None:
        name = "metryka-" + self.detail.case.sign.replace("/", "-").replace(".", "_") + ".pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the case history"), name, "PDF (*.pdf)"
        )
        if path:
            self.print_history(Path(path))

    def print_history(self, path: Path) -> Path | None:
        """Save the metryka sprawy as a PDF at ``path`` and open it."""
        self.error_label.clear()
        try:
            saved = write_case_history_pdf(self.history, path, self._office_name)
        except CaseHistoryRenderError as exc:
            self.error_label.setText(str(exc))
            return None
        self.last_pdf = saved
        self._opener(saved)
        return saved
