"""Background jobs: no dialog for quick work, a progress dialog with Cancel for slow work."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from clerk_app.errors import ValidationError
from clerk_app.ui.workers import Job


def test_quick_job_shows_no_dialog(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    job = Job(lambda progress, cancelled: 42, "…", parent)
    with qtbot.waitSignal(job.finished) as done:
        pass
    assert done.args == [42]
    qtbot.wait(600)
    assert job.dialog is None


def test_slow_job_shows_progress_after_half_a_second_and_cancels(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    reports: list[int] = []

    def work(progress: Any, cancelled: Any) -> str:
        for step in range(10_000):
            if cancelled():
                return f"cancelled at {step}"
            reports.append(step)
            progress(step, 10_000)
            time.sleep(0.005)
        return "done"

    started = time.monotonic()
    job = Job(work, "Eksport…", parent)
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=3000)
    assert time.monotonic() - started >= 0.45
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.value() > 0)
    with qtbot.waitSignal(job.finished, timeout=5000) as done:
        assert job.dialog is not None
        button = job.dialog.findChild(QPushButton)
        assert button is not None and button.text() == "Cancel"
        button.click()
    assert str(done.args[0]).startswith("cancelled at")
    assert job.dialog is None


def test_user_errors_reach_the_gui_as_messages(qtbot: QtBot) -> None:
    def work(progress: Any, cancelled: Any) -> None:
        raise ValidationError("Eksport: brak uprawnień do folderu.")

    job = Job(work, "…")
    with qtbot.waitSignal(job.failed) as failed:
        pass
    assert failed.args == ["Eksport: brak uprawnień do folderu."]
    job.deleteLater()
