"""Intake form: "Print sticker" saves the paper letter's sticker PDF and opens it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from clerk_app.models import Channel
from clerk_app.services.register_types import IncomingDraft, RegisterResult
from clerk_app.ui.dialogs.intake import IntakeDialog, sticker_file_name


def make_form(
    qtbot: QtBot, tmp_path: Path, opened: list[Path], state: QSettings | None = None
) -> tuple[IntakeDialog, list[IncomingDraft]]:
    drafts: list[IncomingDraft] = []

    def register(draft: IncomingDraft) -> RegisterResult:
        drafts.append(draft)
        return RegisterResult(len(drafts), f"RPW/{len(drafts)}/2026")

    form = IntakeDialog(
        register=register,
        suggest=None,
        units=[],
        handlers=[],
        state=state,
        today=lambda: date(2026, 5, 4),
        sticker_dir=tmp_path / "naklejki",
        office_name="UG Testowo",
        opener=opened.append,
    )
    qtbot.addWidget(form)
    return form, drafts


def fill(form: IntakeDialog, qtbot: QtBot) -> None:
    qtbot.keyClicks(form.title, "Wniosek")
    form.sender_unknown.setChecked(True)
    form.letter_date_unknown.setChecked(True)
    form.letter_ref_unknown.setChecked(True)


def test_paper_letter_sticker_is_saved_and_opened(qtbot: QtBot, tmp_path: Path) -> None:
    opened: list[Path] = []
    state = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    form, drafts = make_form(qtbot, tmp_path, opened, state)
    assert not form.print_sticker.isHidden()
    assert not form.print_sticker.isChecked()  # off until the clerk turns it on
    form.channel.setCurrentIndex(form.channel.findData(Channel.PAPER.value))
    form.print_sticker.setChecked(True)
    form.attachment_count.setValue(3)
    fill(form, qtbot)
    form.submit()
    assert form.error_label.text() == ""
    target = tmp_path / "naklejki" / "naklejka-RPW-1-2026.pdf"
    assert opened == [target] and form.last_sticker == target
    assert target.read_bytes().startswith(b"%PDF")
    assert len(drafts) == 1
    # The choice is remembered for the next session.
    again, _ = make_form(qtbot, tmp_path, [], state)
    assert again.print_sticker.isChecked()


def test_no_sticker_for_electronic_mail_or_when_unticked(qtbot: QtBot, tmp_path: Path) -> None:
    opened: list[Path] = []
    form, drafts = make_form(qtbot, tmp_path, opened)
    form.print_sticker.setChecked(True)
    form.channel.setCurrentIndex(form.channel.findData(Channel.EPUAP.value))
    assert not form.print_sticker.isEnabled()
    fill(form, qtbot)
    form.submit()
    form.channel.setCurrentIndex(form.channel.findData(Channel.PAPER.value))
    assert form.print_sticker.isEnabled()
    form.print_sticker.setChecked(False)
    fill(form, qtbot)
    form.submit()
    assert len(drafts) == 2 and opened == []
    assert not (tmp_path / "naklejki").exists()


def test_sticker_folder_that_cannot_be_written_names_the_sticker(
    qtbot: QtBot, tmp_path: Path, polish: object
) -> None:
    opened: list[Path] = []
    (tmp_path / "naklejki").write_text("not a folder")
    form, drafts = make_form(qtbot, tmp_path, opened)
    form.channel.setCurrentIndex(form.channel.findData(Channel.PAPER.value))
    form.print_sticker.setChecked(True)
    fill(form, qtbot)
    form.submit()
    assert len(drafts) == 1  # the letter is registered; only the sticker failed
    assert form.error_label.text().startswith("Naklejka")
    assert opened == []


def test_sticker_file_name_is_safe() -> None:
    assert sticker_file_name("RPW/12/2026") == "naklejka-RPW-12-2026.pdf"


def test_without_a_sticker_folder_the_box_is_hidden(qtbot: QtBot) -> None:
    form = IntakeDialog(
        register=lambda d: RegisterResult(1, "RPW/1/2026"), suggest=None, units=[], handlers=[]
    )
    qtbot.addWidget(form)
    assert form.print_sticker.isHidden() and not form.wants_sticker()
