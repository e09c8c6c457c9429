"""PySide6 6.12.0 on Python 3.11 crashed ("none_dealloc") when data() returned None.

The dependency pins keep users off that combination; this runs the crashing
pattern in a child process so a regression shows as a failure, not a dead run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 1000

        def columnCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 10

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return None

    app = QApplication([])
    model = Model()
    for row in range(1000):
        for column in range(10):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                model.data(model.index(row, column), role)
    print("ok")
    """
)


def test_model_returning_none_many_times_does_not_crash() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
