"""What the register and case pages share: the filter row and the background export.

The texts stay the pages' own (they pass them in), so each page keeps its
translation context and the two exports can say "the register" / "the case list".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from clerk_app.services.export import ExportFormat, ExportResult
from clerk_app.ui.workers import Job

# Called in the GUI thread with (path, format): captures the view's filter and sort and
# returns the work, (progress, cancelled) -> result, that runs on a worker thread.
PrepareExport = Callable[[Path, ExportFormat], Callable[[Any, Any], ExportResult]]


def filter_row(labels: Sequence[QLabel], widgets: Sequence[QWidget]) -> QHBoxLayout:
    """``label widget label widget …`` in one row, for a page's filter bar."""
    row = QHBoxLayout()
    for label, widget in zip(labels, widgets, strict=True):
        row.addWidget(label)
        row.addWidget(widget)
    return row


class TableExport(QObject):
    """The Export button (CSV, XLSX) of a table page and the export job behind it."""

    exported = Signal(object)  # ExportResult, also when cancelled

    def __init__(
        self,
        page: QWidget,
        file_stem: str,
        prepare: PrepareExport,
        dialog_title: Callable[[], str],
        progress_text: Callable[[], str],
    ) -> None:
        super().__init__(page)
        self._page = page
        self._file_stem = file_stem
        self._prepare = prepare
        self._dialog_title = dialog_title
        self._progress_text = progress_text
        self.jobs: set[Job] = set()
        self.last_result: ExportResult | None = None
        self.button = QPushButton()
        menu = QMenu(page)
        self.csv_action = menu.addAction("CSV")
        self.xlsx_action = menu.addAction("XLSX")
        self.button.setMenu(menu)
        self.csv_action.triggered.connect(lambda: self.ask(ExportFormat.CSV))
        self.xlsx_action.triggered.connect(lambda: self.ask(ExportFormat.XLSX))

    def ask(self, fmt: ExportFormat) -> None:
        suffix = fmt.value
        path, _ = QFileDialog.getSaveFileName(
            self._page,
            self._dialog_title(),
            f"{self._file_stem}.{suffix}",
            f"{suffix.upper()} (*.{suffix})",
        )
        if path:
            self.start(Path(path), fmt)

    def start(self, path: Path, fmt: ExportFormat) -> Job:
        """Export in the background; progress shows after ~0.5 s, with cancel."""
        job = Job(self._prepare(path, fmt), self._progress_text(), self._page)
        self.jobs.add(job)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        return job

    def _forget_done(self) -> None:
        self.jobs = {j for j in self.jobs if not j.done}

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._forget_done()
        if isinstance(result, ExportResult):
            self.last_result = result
            self.exported.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._forget_done()
        QMessageBox.warning(self._page, self.button.text(), message)
