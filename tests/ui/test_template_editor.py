"""The template editor from the Letters page, and the page's in-app preview, driven with qtbot."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clerk_app.models import (
    Channel,
    Correspondent,
    CorrespondentKind,
    Direction,
    Office,
    OrgUnit,
    RegisterEntry,
    Role,
    User,
    UserRole,
)
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from clerk_app.services.jrwa_store import import_jrwa_plan
from clerk_app.services.kpa_deadlines import DeadlineKind
from clerk_app.services.templates import shipped_source
from clerk_app.services.users import CurrentUser
from clerk_app.ui.dialogs.template_editor import TemplateEditorDialog
from clerk_app.ui.hub import Hub
from clerk_app.ui.i18n import install_language
from clerk_app.ui.pages.letters_page import LettersPage

TODAY = date(2026, 3, 10)
NAME = "letter_generic"
WAIT_MS = 30_000


def seed(ctx: AppContext, role: Role) -> tuple[CurrentUser, str]:
    """An office, one user with ``role`` (plus case clerk), and a case with one party."""
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Łęknica", street="ul. Żurawia", building="1",
                        postal_code="68-208", city="Łęknica")  # fmt: skip
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        session.add(unit)
        session.flush()
        user = User(login="a.źrebiec", full_name="Adam Źrebiec", position="sekretarz",
                    unit_id=unit.id)  # fmt: skip
        roles = {role, Role.CASE_CLERK}
        user.roles = [UserRole(role=r) for r in roles]
        session.add(user)
        session.flush()
        me = CurrentUser(user.id, user.login, user.full_name, frozenset(roles))
        import_jrwa_plan(session, 2026)
        person = Correspondent(kind=CorrespondentKind.PERSON, first_name="Jan", last_name="Żółw",
                               display_name="Jan Żółw", search_key="zolw", street="ul. Polna",
                               building="1", postal_code="68-208", city="Łęknica")  # fmt: skip
        session.add(person)
        session.flush()
        entry = RegisterEntry(direction=Direction.INCOMING, register_symbol="RPW", year=2026,
                              seq_no=1, number="RPW/1/2026", received_on=date(2026, 3, 2),
                              title="Wniosek", correspondent_id=person.id,
                              channel=Channel.PAPER)  # fmt: skip
        session.add(entry)
        session.flush()
        unit_id, entry_id = unit.id, entry.id
    case = CaseService(ctx.db, me, today=lambda: TODAY).open_case(
        unit_id, "6727", "Warunki zabudowy", date(2026, 3, 2), DeadlineKind.ONE_MONTH,
        origin_entry_id=entry_id,
    )  # fmt: skip
    return me, case.sign


def make_page(ctx: AppContext, qtbot: QtBot, me: CurrentUser) -> LettersPage:
    page = LettersPage(ctx, me, Hub(), pool=QThreadPool(), today=lambda: TODAY)
    qtbot.addWidget(page)
    return page


def open_editor(page: LettersPage, qtbot: QtBot) -> TemplateEditorDialog:
    page.template.setCurrentIndex(page.template.findData(NAME))
    qtbot.mouseClick(page.edit_template_button, Qt.MouseButton.LeftButton)
    editor = page.template_editor
    assert editor is not None and editor.isVisible()
    qtbot.waitUntil(lambda: editor.preview.page_count == 1 and not editor.busy, timeout=WAIT_MS)
    return editor


def ink(image: QImage) -> int:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return sum(1 for value in bytes(gray.constBits()) if value < 128)


def body_line(source: str) -> int:
    return next(n for n, text in enumerate(source.splitlines(), start=1) if "{{ body" in text)


def test_admin_edits_previews_and_saves_an_office_copy(ctx: AppContext, qtbot: QtBot) -> None:
    me, sign = seed(ctx, Role.ADMIN)
    page = make_page(ctx, qtbot, me)
    editor = open_editor(page, qtbot)
    assert editor.source.toPlainText() == shipped_source(NAME)
    assert ink(editor.preview.image.pixmap().toImage()) > 500
    paths = [editor.placeholders.item(i).text() for i in range(editor.placeholders.count())]
    assert "office.name" in paths and "case.sign" in paths
    assert not editor.save_button.isEnabled()  # nothing changed yet

    # A syntax error: the Polish message names the line, which is highlighted; no saving.
    broken = shipped_source(NAME).replace("{{ body }}", "{{ body + }}")
    editor.source.setPlainText(broken)
    qtbot.waitUntil(lambda: "błąd składni" in editor.error.text(), timeout=WAIT_MS)
    line = body_line(broken)
    assert f"wiersz {line}" in editor.error.text() and editor.error_line == line
    assert len(editor.source.extraSelections()) == 1
    assert not editor.save_button.isEnabled()

    # An unknown placeholder, inserted from the keyboard.
    editor.source.setPlainText(shipped_source(NAME).replace("{{ body }}", "{{ bodyy }}"))
    qtbot.waitUntil(lambda: "nieznane pole „bodyy”" in editor.error.text(), timeout=WAIT_MS)
    assert not editor.save_button.isEnabled()

    fixed = shipped_source(NAME).replace("{{ body }}", "{{ body }}\n\nZ wyrazami szacunku.")
    editor.source.setPlainText(fixed)
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=WAIT_MS)
    assert editor.error.text() == "" and editor.source.extraSelections() == []
    editor.note.setText("zwrot grzecznościowy")
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.state.version == 1 and editor.state.office_copy
    assert editor.history.count() == 1 and "zwrot grzecznościowy" in editor.history.item(0).text()
    assert editor.revert_button.isEnabled() and not editor.save_button.isEnabled()

    # The office's letters use the copy from now on: the page's own preview shows it.
    page.case_sign.setText(sign)
    page.load_case()
    page.set_field("subject", "Informacja")
    page.set_field("body", "Treść pisma.")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.pdf_view.page_count == 1, timeout=WAIT_MS)
    preview_file = Path(page.status.text().split(": ", 1)[1])
    reader = PdfReader(io.BytesIO(preview_file.read_bytes()))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Z wyrazami szacunku." in text

    # Back to the shipped default: the editor shows it, the history keeps both versions.
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert not editor.state.office_copy and editor.history.count() == 2
    assert editor.source.toPlainText() == shipped_source(NAME)
    editor.history.setCurrentRow(1)  # version 1
    qtbot.mouseClick(editor.load_version_button, Qt.MouseButton.LeftButton)
    assert "Z wyrazami szacunku." in editor.source.toPlainText()
    editor.reject()


def test_typing_is_debounced_into_few_renders(ctx: AppContext, qtbot: QtBot) -> None:
    me, _ = seed(ctx, Role.MANAGER)
    page = make_page(ctx, qtbot, me)
    editor = open_editor(page, qtbot)
    calls: list[str] = []
    render = editor.service.preview

    def counting(name: str, source: str) -> bytes:
        calls.append(source)
        return render(name, source)

    editor.service.preview = counting  # type: ignore[method-assign]
    for letter in "Pozdrawiam":
        editor.source.moveCursor(editor.source.textCursor().MoveOperation.End)
        editor.source.insertPlainText(letter)
    qtbot.waitUntil(lambda: not editor.busy and editor.save_button.isEnabled(), timeout=WAIT_MS)
    assert len(calls) == 1 and calls[0].endswith("Pozdrawiam")
    editor.reject()


def test_a_case_clerk_sees_the_template_read_only(ctx: AppContext, qtbot: QtBot) -> None:
    me, _ = seed(ctx, Role.CASE_CLERK)
    page = make_page(ctx, qtbot, me)
    editor = open_editor(page, qtbot)
    assert editor.source.isReadOnly()
    assert not editor.save_button.isEnabled() and not editor.revert_button.isEnabled()
    assert "shipped default" in editor.status.text()
    editor.reject()


def test_letters_page_preview_is_in_app_and_printable(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    me, sign = seed(ctx, Role.CASE_CLERK)
    page = make_page(ctx, qtbot, me)
    page.case_sign.setText(sign)
    page.load_case()
    page.template.setCurrentIndex(page.template.findData("kpa_remedy_defects"))
    page.set_field("defects", "brak podpisu pod wnioskiem")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.pdf_view.page_count >= 1, timeout=WAIT_MS)
    assert ink(page.pdf_view.page_image(0)) > 500
    target = tmp_path / "pismo.pdf"

    def file_printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return printer

    page.pdf_view.ask_printer = file_printer  # the clerk's choice in the print dialog
    qtbot.mouseClick(page.pdf_view.print_button, Qt.MouseButton.LeftButton)
    assert len(PdfReader(target).pages) == page.pdf_view.page_count


def test_template_choice_shows_the_office_copy_title_and_follows_saves(
    ctx: AppContext, qtbot: QtBot, polish: QApplication
) -> None:
    me, sign = seed(ctx, Role.ADMIN)
    hub = Hub()  # one hub, as in the main window: every open view hears of the save
    page = LettersPage(ctx, me, hub, pool=QThreadPool(), today=lambda: TODAY)
    other = LettersPage(ctx, me, hub, pool=QThreadPool(), today=lambda: TODAY)
    qtbot.addWidget(page)
    qtbot.addWidget(other)
    row = page.template.findData(NAME)
    certificate = page.template.findData("kpa_certificate")
    assert page.template.itemText(row) == "Pismo ogólne"
    page.case_sign.setText(sign)
    page.load_case()
    page.template.setCurrentIndex(row)
    page.set_field("body", "Treść, której nie wolno zgubić.")

    editor = open_editor(page, qtbot)
    retitled = shipped_source(NAME).replace("title: Pismo ogólne", "title: Pismo Wójta Gminy", 1)
    editor.source.setPlainText(retitled)
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert page.template.itemText(row) == "Pismo Wójta Gminy (kopia urzędu)"
    assert other.template.itemText(row) == "Pismo Wójta Gminy (kopia urzędu)"
    assert page.template.itemText(certificate) == "Zaświadczenie (art. 217 KPA)"
    # The clerk's choice and what they typed survive the refresh.
    assert page.template.currentIndex() == row
    assert page.field_values()["body"] == "Treść, której nie wolno zgubić."
    # A page opened later starts with the office copy's title.
    later = LettersPage(ctx, me, hub, pool=QThreadPool(), today=lambda: TODAY)
    qtbot.addWidget(later)
    assert later.template.itemText(row) == "Pismo Wójta Gminy (kopia urzędu)"
    # The mark follows the interface language.
    install_language(polish, "en")
    qtbot.waitUntil(lambda: page.template.itemText(row) == "Pismo Wójta Gminy (office copy)")

    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert page.template.itemText(row) == "Pismo ogólne"
    assert other.template.itemText(row) == "Pismo ogólne"
    editor.reject()
