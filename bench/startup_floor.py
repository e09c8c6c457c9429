"""The floor for start-up: a bare PySide6 window with a table and the same icons, then quit."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTableView,
)

ICONS = [
    "fa5s.inbox",
    "fa5s.folder-open",
    "fa5s.map-marked-alt",
    "fa5s.file-signature",
    "fa5s.envelope-open-text",
    "fa5s.chart-bar",
    "fa5s.cog",
]

app = QApplication(sys.argv)
import qtawesome  # noqa: E402  (as the app does: only after the QApplication exists)

window = QMainWindow()
nav = QListWidget()
for name in ICONS:
    nav.addItem(QListWidgetItem(qtawesome.icon(name), name))
split = QSplitter()
split.addWidget(nav)
split.addWidget(QTableView())
window.setCentralWidget(split)
window.show()
QTimer.singleShot(0, window.close)
app.exec()
