"""Counters are gap-free: a rolled-back registration gives its number back."""

from __future__ import annotations

import pytest

from clerk_app.services.app_context import AppContext
from clerk_app.services.numbering import next_number


def test_numbers_are_per_key_and_year(ctx: AppContext) -> None:
    with ctx.db.session(write=True) as session:
        assert [next_number(session, "register:RPW", 2026) for _ in range(3)] == [1, 2, 3]
        assert next_number(session, "register:RPW", 2027) == 1
        assert next_number(session, "register:WYCH", 2026) == 1


def test_rollback_returns_the_number(ctx: AppContext) -> None:
    with ctx.db.session(write=True) as session:
        next_number(session, "register:RPW", 2026)
    with pytest.raises(RuntimeError), ctx.db.session(write=True) as session:
        assert next_number(session, "register:RPW", 2026) == 2
        raise RuntimeError("the form failed validation after numbering")
    with ctx.db.session(write=True) as session:
        assert next_number(session, "register:RPW", 2026) == 2
