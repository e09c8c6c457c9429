"""The letters page: load a case, pick a template, edit fields, preview, save in the background."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

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
from clerk_app.services.users import CurrentUser
from clerk_app.ui.hub import Hub
from clerk_app.ui.pages.letters_page import LettersPage

TODAY = date(2026, 3, 10)


def seed(ctx: AppContext) -> tuple[CurrentUser, str]:
    with ctx.db.session(write=True) as session:
        office = Office(name="Urząd Gminy Łęknica", street="ul. Żurawia", building="1",
                        postal_code="68-208", city="Łęknica")  # fmt: skip
        session.add(office)
        session.flush()
        unit = OrgUnit(office_id=office.id, symbol="UA", name="Urbanistyka")
        session.add(unit)
        session.flush()
        user = User(login="k.ćwik", full_name="Kinga Ćwik", position="inspektor", unit_id=unit.id)
        user.roles = [UserRole(role=Role.CASE_CLERK)]
        session.add(user)
        session.flush()
        me = CurrentUser(user.id, user.login, user.full_name, frozenset({Role.CASE_CLERK}))
        import_jrwa_plan(session, 2026)
        ids = []
        for seq, (first, last) in enumerate([("Jan", "Żółw"), ("Ewa", "Łoś")], start=1):
            person = Correspondent(kind=CorrespondentKind.PERSON, first_name=first,
                                   last_name=last, display_name=f"{first} {last}",
                                   search_key=last.lower(), street="ul. Polna", building=str(seq),
                                   postal_code="68-208", city="Łęknica")  # fmt: skip
            session.add(person)
            session.flush()
            entry = RegisterEntry(direction=Direction.INCOMING, register_symbol="RPW", year=2026,
                                  seq_no=seq, number=f"RPW/{seq}/2026",
                                  received_on=date(2026, 3, 2), title="Wniosek",
                                  correspondent_id=person.id, channel=Channel.PAPER)  # fmt: skip
            session.add(entry)
            session.flush()
            ids.append(entry.id)
        unit_id = unit.id
    cases = CaseService(ctx.db, me, today=lambda: TODAY)
    row = cases.open_case(unit_id, "6727", "Warunki zabudowy", date(2026, 3, 2),
                          DeadlineKind.ONE_MONTH, origin_entry_id=ids[0])  # fmt: skip
    cases.link_entry(row.id, ids[1])
    return me, row.sign


def make_page(ctx: AppContext, qtbot: QtBot, me: CurrentUser, opened: list[Path]) -> LettersPage:
    page = LettersPage(ctx, me, Hub(), open_file=opened.append, pool=QThreadPool(),
                       today=lambda: TODAY)  # fmt: skip
    qtbot.addWidget(page)
    return page


def test_case_prefills_fields_preview_opens_a_pdf(ctx: AppContext, qtbot: QtBot) -> None:
    me, sign = seed(ctx)
    opened: list[Path] = []
    page = make_page(ctx, qtbot, me, opened)
    assert not page.save_button.isEnabled()
    page.case_sign.setText(sign)
    qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    assert page.parties.count() == 2
    page.template.setCurrentIndex(page.template.findData("kpa_remedy_defects"))
    assert page.field_values()["remedy_days"] == 7
    assert page.field_values()["signatory.name"] == "Kinga Ćwik"
    page.set_field("defects", "brak podpisu pod wnioskiem")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=20000)
    reader = PdfReader(io.BytesIO(opened[0].read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "brak podpisu pod wnioskiem" in text and "Jan Żółw" in text


def test_too_short_deadline_is_shown_and_nothing_registered(ctx: AppContext, qtbot: QtBot) -> None:
    me, sign = seed(ctx)
    page = make_page(ctx, qtbot, me, [])
    page.case_sign.setText(sign)
    page.load_case()
    page.template.setCurrentIndex(page.template.findData("kpa_remedy_defects"))
    page.set_field("defects", "brak mapy")
    page.set_field("remedy_days", 3)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "co najmniej 7 dni" in page.status.text(), timeout=20000)
    with ctx.db.session() as session:
        count = session.scalar(
            select(func.count()).where(RegisterEntry.direction == Direction.OUTGOING)
        )
    assert count == 0


def test_two_addressees_are_merged_and_registered(ctx: AppContext, qtbot: QtBot) -> None:
    me, sign = seed(ctx)
    opened: list[Path] = []
    page = make_page(ctx, qtbot, me, opened)
    page.case_sign.setText(sign)
    page.load_case()
    page.template.setCurrentIndex(page.template.findData("kpa_initiation_notice"))
    changed: list[str] = []
    page.hub.changed.connect(lambda kind, ids: changed.append(kind))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.saved) == 2, timeout=30000)
    assert opened and opened[0].name == "do_druku.pdf"
    assert "register" in changed and "case" in changed
    assert all(s.number in page.status.text() for s in page.saved)


def test_unknown_case_sign_is_reported(ctx: AppContext, qtbot: QtBot) -> None:
    me, _ = seed(ctx)
    page = make_page(ctx, qtbot, me, [])
    page.case_sign.setText("UA.6727.99.2026")
    page.load_case()
    assert "nie ma sprawy" in page.status.text()
    assert not page.preview_button.isEnabled()
