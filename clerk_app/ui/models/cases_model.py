"""The case list table over ``CaseQuery``: sign, title, handler, opened, due, days left."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject

from clerk_app.services.register_query import CaseFilter, CaseQuery, CaseRow, SortSpec
from clerk_app.ui.models.labels import CASE_STATUSES, pl_date, tr
from clerk_app.ui.models.paged_table import Column, PagedTableModel

CASE_COLUMNS: list[Column[CaseRow]] = [
    Column("sign", QT_TRANSLATE_NOOP("Columns", "Case sign"), lambda r: r.sign),
    Column("title", QT_TRANSLATE_NOOP("Columns", "Title"), lambda r: r.title),
    Column("handler", QT_TRANSLATE_NOOP("Columns", "Handler"), lambda r: r.handler),
    Column("opened", QT_TRANSLATE_NOOP("Columns", "Opened"), lambda r: pl_date(r.opened_on)),
    Column("due", QT_TRANSLATE_NOOP("Columns", "Due"), lambda r: pl_date(r.due_on)),
    Column(
        "days_left",
        QT_TRANSLATE_NOOP("Columns", "Days left"),
        lambda r: None if r.days_left is None else str(r.days_left),
        align_right=True,
        alert=lambda r: r.days_left is not None and r.days_left < 0,
    ),
    Column("status", QT_TRANSLATE_NOOP("Columns", "Status"), lambda r: tr(CASE_STATUSES[r.status])),
]

DEFAULT_CASE_SORT = SortSpec("due")


class CasesTableModel(PagedTableModel[CaseFilter, CaseRow]):
    def __init__(
        self,
        query: CaseQuery,
        flt: CaseFilter | None = None,
        sort: SortSpec = DEFAULT_CASE_SORT,
        parent: QObject | None = None,
        **kwargs: int,
    ) -> None:
        super().__init__(query, CASE_COLUMNS, flt or CaseFilter(), sort, parent=parent, **kwargs)
