"""An unexpected error is logged with its traceback and the clerk is told where the log is."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.errors import ValidationError
from clerk_app.ui import crash


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: messages.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    return messages


def raise_and_hook(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


def test_bug_is_logged_and_shown_with_log_location(
    qapp: QApplication, shown: list[str], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    crash.install_crash_handler(tmp_path / "kancelaria.log")
    with caplog.at_level(logging.ERROR, logger="clerk_app.crash"):
        raise_and_hook(ZeroDivisionError("division by zero"))
    assert "ZeroDivisionError" in caplog.text and "Traceback" in caplog.text
    assert len(shown) == 1 and str(tmp_path / "kancelaria.log") in shown[0]


def test_user_error_shows_its_own_message(
    qapp: QApplication, shown: list[str], tmp_path: Path
) -> None:
    crash.install_crash_handler(tmp_path / "kancelaria.log")
    raise_and_hook(ValidationError("Data wpływu nie może być z przyszłości."))
    assert shown == ["Data wpływu nie może być z przyszłości."]
