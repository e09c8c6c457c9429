"""Saving an art. 36 delay notice records it on the case in the letter's own transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from clerk_app.errors import ValidationError
from clerk_app.models import Attachment, AuditEvent, Case, Direction, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.cases import CaseService
from tests.services import test_letters
from tests.services.test_letters import TODAY, Setup, service

setup = test_letters.setup  # the case with three parties, shared with the letter tests

NEW_DUE = date(2026, 5, 4)  # the engine's proposal: a month after the current 2 April
FIELDS = {"delay_reason": "oczekiwanie na opinię konserwatora zabytków"}


def _outgoing(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return (
            session.scalar(
                select(func.count()).where(RegisterEntry.direction == Direction.OUTGOING)
            )
            or 0
        )


def _case(ctx: AppContext, case_id: int) -> tuple[date | None, date | None, date | None]:
    with ctx.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.delay_notice_on, case.custom_due_on, case.due_on


def _events(ctx: AppContext, action: str) -> int:
    with ctx.db.session() as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_saved_delay_notice_sets_the_new_deadline_on_the_case(
    ctx: AppContext, setup: Setup
) -> None:
    assert _case(ctx, setup.case_id) == (None, None, date(2026, 4, 2))
    saved = service(ctx, setup.clerk).save(
        "kpa_delay_notice", setup.sign, FIELDS, setup.parties["jan"]
    )
    assert _case(ctx, setup.case_id) == (TODAY, NEW_DUE, NEW_DUE)
    cases = CaseService(ctx.db, setup.clerk, today=lambda: TODAY)
    status = cases.deadline_status(setup.case_id)
    assert status is not None and status.due_on == NEW_DUE and not status.delay_notice_due
    history = [row.what_done for row in cases.case_history(setup.case_id).rows]
    assert any("Zawiadomienie o zwłoce (art. 36 KPA)" in what for what in history)
    assert any(saved.number in what for what in history)
    with ctx.db.session() as session:
        entry = session.get(RegisterEntry, saved.entry_id)
        assert entry is not None and entry.case_id == setup.case_id


def test_other_letters_leave_the_deadline_alone(ctx: AppContext, setup: Setup) -> None:
    service(ctx, setup.clerk).save("kpa_evidence_review", setup.sign, {}, setup.parties["jan"])
    assert _case(ctx, setup.case_id) == (None, None, date(2026, 4, 2))
    assert _events(ctx, "delay_notice") == 0


def test_failure_after_both_writes_rolls_back_letter_and_case(
    ctx: AppContext, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = CaseService.record_delay_notice_in

    def record_then_fail(self: CaseService, *args: Any, **kwargs: Any) -> Any:
        real(self, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaseService, "record_delay_notice_in", record_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        service(ctx, setup.clerk).save("kpa_delay_notice", setup.sign, FIELDS, setup.parties["jan"])
    assert _case(ctx, setup.case_id) == (None, None, date(2026, 4, 2))
    assert _outgoing(ctx) == 0
    assert _events(ctx, "delay_notice") == 0 and _events(ctx, "letter") == 0
    with ctx.db.session() as session:
        assert session.scalar(select(func.count(Attachment.id))) == 0


def test_case_that_cannot_take_the_notice_registers_no_letter(
    ctx: AppContext, setup: Setup
) -> None:
    CaseService(ctx.db, setup.clerk, today=lambda: TODAY).close(
        setup.case_id, TODAY, "wydano wypis"
    )
    with pytest.raises(ValidationError, match="jest zakończona"):
        service(ctx, setup.clerk).save(
            "kpa_delay_notice", setup.sign, {**FIELDS, "new_due_on": "2026-06-01"},
            setup.parties["jan"],
        )  # fmt: skip
    assert _outgoing(ctx) == 0
    assert _events(ctx, "letter") == 0


def test_mail_merged_delay_notice_is_recorded_once(ctx: AppContext, setup: Setup) -> None:
    result = service(ctx, setup.clerk).mail_merge(
        "kpa_delay_notice", setup.sign, FIELDS, [setup.parties["jan"], setup.parties["ewa"]]
    )
    assert result is not None and len(result.letters) == 2
    assert _case(ctx, setup.case_id) == (TODAY, NEW_DUE, NEW_DUE)
    assert _events(ctx, "delay_notice") == 1
