"""A table model that knows its row count and loads rows page by page from a service.

Only the row count (one COUNT) and the pages the view actually paints are read;
a small LRU cache keeps the last pages. Each page is formatted once when it
arrives, so ``data()`` is a dictionary look-up and a tuple index, never SQL.
Sorting and filtering are handed to the service (ORDER BY / WHERE).

With ``count_in_background`` the exact COUNT (the slowest query over a million
rows) does not hold up the first paint: the first page is read at once and,
when it is full, the model shows just it and counts on a worker thread; the
remaining rows are then inserted (``count_changed`` tells the page). A first
page that is not full is the exact count, and no COUNT is run at all.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor

from clerk_app.services.register_query import SortSpec

log = logging.getLogger(__name__)

Row = TypeVar("Row")
Filter = TypeVar("Filter")
AnyIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200
CACHED_PAGES = 10
ID_ROLE = int(Qt.ItemDataRole.UserRole.value) + 1
GREY = QBrush(QColor(120, 120, 120))
RED = QBrush(QColor(176, 0, 32))
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ID = int(ID_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class PageSource(Protocol[Filter, Row]):
    def count(self, flt: Filter) -> int: ...

    def page(
        self, flt: Filter, sort: SortSpec, offset: int, limit: int, total: int | None = None
    ) -> list[Row]: ...


@dataclass(frozen=True)
class Column(Generic[Row]):
    key: str  # the service's sort column
    title: str  # untranslated source text (context "Columns")
    text: Callable[[Row], str | None]
    align_right: bool = False
    unknown: Callable[[Row], bool] | None = None  # shown grey ("brak danych")
    alert: Callable[[Row], bool] | None = None  # shown red (overdue)


@dataclass(frozen=True)
class _Page:
    ids: tuple[int, ...]
    cells: tuple[tuple[str | None, ...], ...]
    unknown: tuple[frozenset[int], ...]  # per row: columns showing "brak danych"
    alert: tuple[frozenset[int], ...]  # per row: columns shown red


class _CountSignals(QObject):
    counted = Signal(int, object)  # generation, row count (None when the COUNT failed)


class _CountJob(QRunnable):
    """Runs the COUNT on a pool thread; the result is queued to the GUI thread."""

    def __init__(self, fn: Callable[[], int], generation: int, signals: _CountSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._generation = generation
        self._signals = signals  # kept alive here until the job has emitted

    def run(self) -> None:
        try:
            count: int | None = self._fn()
        except Exception:
            log.exception("Counting the rows of a view failed")
            count = None
        self._signals.counted.emit(self._generation, count)


class PagedTableModel(QAbstractTableModel, Generic[Filter, Row]):
    count_changed = Signal(int)  # the exact row count is known (after a background COUNT)

    def __init__(
        self,
        source: PageSource[Filter, Row],
        columns: Sequence[Column[Row]],
        flt: Filter,
        sort: SortSpec,
        *,
        page_size: int = PAGE_SIZE,
        cached_pages: int = CACHED_PAGES,
        count_in_background: bool = False,
        pool: QThreadPool | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._columns = list(columns)
        self._filter = flt
        self._sort = sort
        self._page_size = page_size
        self._cached_pages = cached_pages
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._right = [c.align_right for c in self._columns]
        self._last_number = -1
        self._last_page: _Page | None = None
        self._background = count_in_background
        self._pool = pool
        self._generation = 0
        self._count_signals: _CountSignals | None = None
        self.count_exact = True
        self.pages_loaded = 0  # for tests and the benchmark
        self._count = 0
        self._recount()

    # --- state -----------------------------------------------------------------

    @property
    def filter(self) -> Filter:
        return self._filter

    @property
    def sort_spec(self) -> SortSpec:
        return self._sort

    def column_keys(self) -> list[str]:
        return [c.key for c in self._columns]

    def set_filter(self, flt: Filter) -> None:
        self._filter = flt
        self.refresh()

    def set_view(self, flt: Filter, sort: SortSpec) -> None:
        self._filter, self._sort = flt, sort
        self.refresh()

    def refresh(self) -> None:
        """Count again and drop the cached pages (after writes or a new filter)."""
        self.beginResetModel()
        self._forget_pages()
        self._recount()
        self.endResetModel()
        if self.count_exact:
            self.count_changed.emit(self._count)

    def _recount(self) -> None:
        """Set the row count (call between begin/endResetModel or from ``__init__``)."""
        self._generation += 1
        if not self._background:
            self._count, self.count_exact = self._source.count(self._filter), True
            return
        rows = self._source.page(self._filter, self._sort, 0, self._page_size, None)
        self.pages_loaded += 1
        self._pages[0] = self._format(rows)
        self._count = len(rows)
        self.count_exact = len(rows) < self._page_size
        if self.count_exact:
            return
        if self._count_signals is None:
            self._count_signals = _CountSignals()
            self._count_signals.counted.connect(self._on_counted)
        source, flt = self._source, self._filter
        job = _CountJob(lambda: source.count(flt), self._generation, self._count_signals)
        (self._pool or QThreadPool.globalInstance()).start(job)

    @Slot(int, object)
    def _on_counted(self, generation: int, count: object) -> None:
        if generation != self._generation:
            return  # a newer filter or refresh superseded this COUNT
        if not isinstance(count, int):
            count = self._source.count(self._filter)  # the worker failed: count here
        shown = self._count
        if count > shown:
            self.beginInsertRows(QModelIndex(), shown, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < shown:  # rows went away between the page and the COUNT
            self.beginRemoveRows(QModelIndex(), count, shown - 1)
            self._count = count
            self._forget_pages()
            self.endRemoveRows()
        self.count_exact = True
        self.count_changed.emit(count)

    def wait_for_count(self, timeout_ms: int = 30_000) -> bool:
        """Process events until the exact count is known (benchmarks, tests, exports)."""
        deadline = QDeadlineTimer(timeout_ms)
        while not self.count_exact and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return self.count_exact

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        spec = SortSpec(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if spec == self._sort:
            return
        # Rows are identified only by position, so a new order is a new model.
        self.beginResetModel()
        self._sort = spec
        self._forget_pages()
        self.endResetModel()

    def sort_column(self) -> int:
        keys = self.column_keys()
        return keys.index(self._sort.column) if self._sort.column in keys else -1

    # --- pages -------------------------------------------------------------------

    def _forget_pages(self) -> None:
        self._pages.clear()
        self._last_number, self._last_page = -1, None

    def _page(self, number: int) -> _Page:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        rows = self._source.page(
            self._filter,
            self._sort,
            number * self._page_size,
            self._page_size,
            self._count if self.count_exact else None,
        )
        self.pages_loaded += 1
        page = self._format(rows)
        self._pages[number] = page
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page

    def _format(self, rows: list[Row]) -> _Page:
        ids = []
        cells = []
        unknown = []
        alert = []
        for row in rows:
            ids.append(int(row.id))  # type: ignore[attr-defined]
            cells.append(tuple(c.text(row) for c in self._columns))
            unknown.append(
                frozenset(i for i, c in enumerate(self._columns) if c.unknown and c.unknown(row))
            )
            alert.append(
                frozenset(i for i, c in enumerate(self._columns) if c.alert and c.alert(row))
            )
        return _Page(tuple(ids), tuple(cells), tuple(unknown), tuple(alert))

    def _locate(self, row: int) -> tuple[_Page, int] | None:
        if not 0 <= row < self._count:
            return None
        number, at = divmod(row, self._page_size)
        if number == self._last_number and self._last_page is not None:
            page = self._last_page
        else:
            page = self._page(number)
            self._last_number, self._last_page = number, page
        if at >= len(page.ids):
            return None  # the table changed under us; the next refresh fixes the count
        return page, at

    def row_id(self, row: int) -> int | None:
        if not 0 <= row < self._count:
            return None
        found = self._locate(row)
        return found[0].ids[found[1]] if found else None

    # --- Qt model API ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called thousands of times per paint: plain int roles, no SQL, no formatting.
        if role == _DISPLAY:
            found = self._locate(index.row())
            return found[0].cells[found[1]][index.column()] if found else None
        if role == _FOREGROUND:
            found = self._locate(index.row())
            if found is None:
                return None
            column = index.column()
            if column in found[0].unknown[found[1]]:
                return GREY
            if column in found[0].alert[found[1]]:
                return RED
            return None
        if role == _ALIGNMENT:
            return _RIGHT if self._right[index.column()] else None
        if role == _ID:
            found = self._locate(index.row())
            return found[0].ids[found[1]] if found else None
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return QCoreApplication.translate("Columns", self._columns[section].title)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
