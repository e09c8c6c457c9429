"""The register table: columns of the incoming/outgoing register over ``RegisterQuery``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject

from clerk_app.services.register_query import RegisterFilter, RegisterQuery, SortSpec
from clerk_app.services.register_types import EntryRow
from clerk_app.ui.models.labels import CHANNELS, no_data, pl_date, tr
from clerk_app.ui.models.paged_table import Column, PagedTableModel


def _unknowable(name: str, value: str | None, row: EntryRow) -> str | None:
    if name in row.unknown_fields:
        return no_data()
    return value or None


def _assigned(row: EntryRow) -> str | None:
    return " / ".join(p for p in (row.assigned_unit, row.assigned_user) if p) or None


REGISTER_COLUMNS: list[Column[EntryRow]] = [
    Column("number", QT_TRANSLATE_NOOP("Columns", "Number"), lambda r: r.number),
    Column(
        "date",
        QT_TRANSLATE_NOOP("Columns", "Date"),
        lambda r: pl_date(r.received_on or r.sent_on),
    ),
    Column(
        "title",
        QT_TRANSLATE_NOOP("Columns", "Title"),
        lambda r: _unknowable("title", r.title, r),
        unknown=lambda r: "title" in r.unknown_fields,
    ),
    Column(
        "sender",
        QT_TRANSLATE_NOOP("Columns", "Sender / addressee"),
        lambda r: _unknowable("sender", r.sender, r),
        unknown=lambda r: "sender" in r.unknown_fields,
    ),
    Column(
        "letter_date",
        QT_TRANSLATE_NOOP("Columns", "Letter date"),
        lambda r: _unknowable("letter_date", pl_date(r.letter_date), r),
        unknown=lambda r: "letter_date" in r.unknown_fields,
    ),
    Column(
        "letter_ref",
        QT_TRANSLATE_NOOP("Columns", "Reference"),
        lambda r: _unknowable("letter_ref", r.letter_ref, r),
        unknown=lambda r: "letter_ref" in r.unknown_fields,
    ),
    Column("assigned", QT_TRANSLATE_NOOP("Columns", "Assigned to"), _assigned),
    Column(
        "attachments",
        QT_TRANSLATE_NOOP("Columns", "Attachments"),
        lambda r: str(r.attachment_count) if r.attachment_count else None,
        align_right=True,
    ),
    Column("channel", QT_TRANSLATE_NOOP("Columns", "Channel"), lambda r: tr(CHANNELS[r.channel])),
    Column(
        "tracking", QT_TRANSLATE_NOOP("Columns", "Tracking no."), lambda r: r.tracking_no or None
    ),
    Column("case_sign", QT_TRANSLATE_NOOP("Columns", "Case"), lambda r: r.case_sign),
    Column("notes", QT_TRANSLATE_NOOP("Columns", "Notes"), lambda r: r.notes or None),
]

DEFAULT_REGISTER_SORT = SortSpec("number", descending=True)


class RegisterTableModel(PagedTableModel[RegisterFilter, EntryRow]):
    def __init__(
        self,
        query: RegisterQuery,
        flt: RegisterFilter | None = None,
        sort: SortSpec = DEFAULT_REGISTER_SORT,
        parent: QObject | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            query, REGISTER_COLUMNS, flt or RegisterFilter(), sort, parent=parent, **kwargs
        )
