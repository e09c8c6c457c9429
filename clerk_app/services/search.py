"""Full-text search over the register and cases (wyszukiwanie pełnotekstowe).

Finds register entries and cases by number/sign, title, correspondents, notes,
outcome and the text of XML/PDF attachments; insensitive to case and Polish
diacritics (``zolc`` finds ``żółć``, ``lodz`` finds ``Łódź``) with prefix matching
(``wisn`` finds ``Wiśniewski``). The index (``clerk_app.models.search``) is kept
current by database triggers; this module only reads it.

Ordering, and why the first page stays fast for common words: ranking every hit of
a word found in half the register costs hundreds of milliseconds, so only the
newest :data:`RANK_CANDIDATES` hits are ranked (by bm25 on SQLite, ``ts_rank`` on
PostgreSQL). When a query has fewer hits than that, which is the case for every
specific query, the whole result is ranked; for a common word the clerk sees the
best of the recent hits first, then older hits newest first. Paging through that
order is stable: ranked candidates, then everything older than the oldest one.

A query that is exactly a register number or case sign (``RPW/123/2026`` scanned
from a sticker) puts that object first, even before ranked hits.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from clerk_app.errors import ValidationError
from clerk_app.models import (
    Attachment,
    Case,
    Correspondent,
    RegisterEntry,
    Role,
    StandIn,
    User,
)
from clerk_app.models.search import CASE, ENTRY, fill_statements
from clerk_app.services import audit, permissions
from clerk_app.services.database import Database
from clerk_app.services.text_fold import fold
from clerk_app.services.users import CurrentUser

log = logging.getLogger("clerk_app.search")

Kind = Literal["entry", "case"]

#: How many of the newest hits are ranked before the first page is cut.
RANK_CANDIDATES = 1000
MAX_LIMIT = 500
MAX_TOKENS = 8
MAX_TOKEN_CHARS = 64
#: Rank given to an exact number/sign match (above any text rank).
EXACT_RANK = 1_000_000.0
#: Roles that see every entry and case; others see their unit's and their own.
SEE_ALL_ROLES = frozenset({Role.REGISTRY_CLERK, Role.MANAGER, Role.ADMIN})

# FTS5 column weights (label, title, people, body) for bm25.
_BM25 = "bm25(search_fts, 10.0, 5.0, 3.0, 1.0)"
_WORD = re.compile(r"[^\W_]+")
_SNIPPET_BEFORE = 60
_SNIPPET_AFTER = 140


@dataclass(frozen=True)
class SearchHit:
    """One found entry or case; ``highlights`` are (start, end) spans in ``snippet``."""

    kind: Kind
    object_id: int
    label: str  # register number or case sign
    title: str  # "" when the title is "brak danych"
    correspondent: str
    on: date | None  # received/sent on (entry), opened on (case)
    snippet: str  # where else the words were found (sender, notes, attachment text)
    snippet_source: str  # Polish name of that place, e.g. "uwagi", "załącznik: wniosek.pdf"
    highlights: tuple[tuple[int, int], ...]
    title_highlights: tuple[tuple[int, int], ...]
    rank: float  # higher is better; 0.0 for hits listed by date only
    exact: bool = False  # the query was this object's number or sign

    def snippet_html(self) -> str:
        return _mark(self.snippet, self.highlights)

    def title_html(self) -> str:
        return _mark(self.title, self.title_highlights)


def _mark(value: str, spans: Sequence[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(html.escape(value[pos:start]))
        out.append(f"<b>{html.escape(value[start:end])}</b>")
        pos = end
    out.append(html.escape(value[pos:]))
    return "".join(out)


# ---------------------------------------------------------------------------------
# Query text
# ---------------------------------------------------------------------------------


def query_tokens(query: str) -> list[str]:
    """Folded words of a query; punctuation and operators are dropped, never interpreted."""
    tokens: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word[:MAX_TOKEN_CHARS]
        if word not in tokens:
            tokens.append(word)
        if len(tokens) == MAX_TOKENS:
            break
    return tokens


def _is_prefix(token: str) -> bool:
    # One letter as a prefix would match a large part of the dictionary.
    return len(token) > 1


def fts5_query(tokens: Iterable[str], phrase: bool = False) -> str:
    """FTS5 MATCH text: every token quoted (so no operator or syntax can leak in), ANDed.

    ``phrase``: the words in this order, whole (for a number or sign: ``rpw 12 2026``).
    """
    if phrase:
        return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    parts = []
    for token in tokens:
        quoted = '"' + token.replace('"', '""') + '"'
        parts.append(quoted + "*" if _is_prefix(token) else quoted)
    return " AND ".join(parts)


def tsquery(tokens: Iterable[str], phrase: bool = False) -> str:
    """PostgreSQL ``to_tsquery('simple', …)`` text: quoted lexemes, ``:*`` for prefixes."""
    parts = []
    for token in tokens:
        quoted = "'" + token.replace("'", "''").replace("\\", "\\\\") + "'"
        parts.append(quoted if phrase or not _is_prefix(token) else quoted + ":*")
    return (" <-> " if phrase else " & ").join(parts)


def _word_matches(word: str, tokens: Sequence[str]) -> bool:
    folded = fold(word)
    return any(folded == t or (_is_prefix(t) and folded.startswith(t)) for t in tokens)


@lru_cache(maxsize=64)
def _token_pattern(tokens: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in tokens)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})")


def _match_starts(value: str, tokens: Sequence[str], start: int, end: int) -> Iterator[int]:
    """Start offsets of the words in ``value[start:end]`` that a token matches."""
    folded = fold(value)
    if len(folded) == len(value):
        # Fast path (always taken for Polish text): search the folded text in C, then
        # confirm each candidate on the original word.
        for found in _token_pattern(tuple(tokens)).finditer(folded, start, end):
            word = _WORD.match(value, found.start())
            if word is not None and _word_matches(word.group(), tokens):
                yield found.start()
        return
    for word in _WORD.finditer(value, start, end):
        if _word_matches(word.group(), tokens):
            yield word.start()


def _spans(
    value: str, tokens: Sequence[str], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    stop = len(value) if end is None else end
    spans = []
    for at in _match_starts(value, tokens, start, stop):
        word = _WORD.match(value, at, stop)
        if word is not None:
            spans.append(word.span())
    return spans


def _first_match(value: str, tokens: Sequence[str]) -> int | None:
    return next(_match_starts(value, tokens, 0, len(value)), None)


def _snippet(value: str, tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]] | None:
    where = _first_match(value, tokens)
    if where is None:
        return None
    start = max(0, where - _SNIPPET_BEFORE)
    end = min(len(value), where + _SNIPPET_AFTER)
    # Cut at word boundaries.
    if start > 0:
        space = value.find(" ", start, where)
        start = space + 1 if space != -1 else start
    if end < len(value):
        space = value.rfind(" ", where, end)
        end = space if space > where else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(value) else ""
    spans = [
        (s - start + len(prefix), e - start + len(prefix))
        for s, e in _spans(value, tokens, start, end)
    ]
    return prefix + value[start:end] + suffix, spans


# ---------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Visibility:
    unit_id: int | None
    user_ids: tuple[int, ...]


def _visibility(session: Session, user: CurrentUser) -> _Visibility | None:
    """None when the user sees everything; otherwise their unit and whose items they cover."""
    if user.roles & SEE_ALL_ROLES:
        return None
    today = date.today()
    unit_id = session.scalar(select(User.unit_id).where(User.id == user.id))
    absent = session.scalars(
        select(StandIn.absent_user_id).where(
            StandIn.substitute_id == user.id, StandIn.date_from <= today, StandIn.date_to >= today
        )
    )
    return _Visibility(unit_id, (user.id, *sorted(set(absent))))


_VISIBLE_SQL = (
    "((d.kind = 'entry' AND EXISTS (SELECT 1 FROM register_entry ve WHERE ve.id = d.object_id "
    "AND (ve.assigned_unit_id = :vis_unit OR ve.assigned_user_id IN :vis_users "
    "OR ve.created_by_id IN :vis_users))) "
    "OR (d.kind = 'case' AND EXISTS (SELECT 1 FROM cases vc WHERE vc.id = d.object_id "
    "AND (vc.unit_id = :vis_unit OR vc.handler_id IN :vis_users))))"
)


def _bind_visibility(params: dict[str, Any], visibility: _Visibility | None) -> str:
    if visibility is None:
        return ""
    params["vis_unit"] = visibility.unit_id
    params["vis_users"] = list(visibility.user_ids)
    return " AND " + _VISIBLE_SQL


def _stmt(sql: str, params: dict[str, Any]):  # type: ignore[no-untyped-def]
    stmt = text(sql)
    if "vis_users" in params:
        stmt = stmt.bindparams(bindparam("vis_users", expanding=True))
    if "exclude" in params:
        stmt = stmt.bindparams(bindparam("exclude", expanding=True))
    return stmt


def _candidates(
    session: Session, tokens: list[str], visibility: _Visibility | None, phrase: bool
) -> list[tuple[int, float]]:
    """(doc id, score) of the newest RANK_CANDIDATES hits; higher score is better."""
    params: dict[str, Any] = {"cap": RANK_CANDIDATES}
    vis = _bind_visibility(params, visibility)
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = fts5_query(tokens, phrase)
        sql = (
            f"SELECT search_fts.rowid, -{_BM25} FROM search_fts "
            + ("JOIN search_doc d ON d.id = search_fts.rowid " if vis else "")
            + f"WHERE search_fts MATCH :q{vis} ORDER BY search_fts.rowid DESC LIMIT :cap"
        )
    else:
        params["q"] = tsquery(tokens, phrase)
        sql = (
            "SELECT d.id, ts_rank(d.tsv, to_tsquery('simple'::regconfig, :q)) FROM search_doc d "
            f"WHERE d.tsv @@ to_tsquery('simple'::regconfig, :q){vis} "
            "ORDER BY d.id DESC LIMIT :cap"
        )
    rows = session.execute(_stmt(sql, params), params).all()
    return [(int(doc_id), float(score)) for doc_id, score in rows]


def _older_hits(
    session: Session,
    tokens: list[str],
    visibility: _Visibility | None,
    phrase: bool,
    below: int,
    exclude: set[int],
    limit: int,
    offset: int,
) -> list[int]:
    """Doc ids of hits older than the candidate set, newest first."""
    params: dict[str, Any] = {"below": below, "limit": limit, "offset": offset}
    vis = _bind_visibility(params, visibility)
    if exclude:
        params["exclude"] = sorted(exclude)
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = fts5_query(tokens, phrase)
        not_in = " AND search_fts.rowid NOT IN :exclude" if exclude else ""
        sql = (
            "SELECT search_fts.rowid FROM search_fts "
            + ("JOIN search_doc d ON d.id = search_fts.rowid " if vis else "")
            + f"WHERE search_fts MATCH :q AND search_fts.rowid < :below{not_in}{vis} "
            "ORDER BY search_fts.rowid DESC LIMIT :limit OFFSET :offset"
        )
    else:
        params["q"] = tsquery(tokens, phrase)
        not_in = " AND d.id NOT IN :exclude" if exclude else ""
        sql = (
            "SELECT d.id FROM search_doc d WHERE d.tsv @@ to_tsquery('simple'::regconfig, :q) "
            f"AND d.id < :below{not_in}{vis} ORDER BY d.id DESC LIMIT :limit OFFSET :offset"
        )
    return [int(doc_id) for (doc_id,) in session.execute(_stmt(sql, params), params)]


def _exact_docs(session: Session, query: str, visibility: _Visibility | None) -> list[int]:
    """Doc ids of entries/cases whose number or sign is exactly the query."""
    value = query.strip()
    # Numbers and signs are short and printable (PostgreSQL also refuses NUL in text) and
    # always hold a digit (the number, the year): plain words skip these two look-ups.
    if not value or len(value) > 60 or not value.isprintable() or " " in value:
        return []
    if not any(c.isdigit() for c in value):
        return []
    forms = sorted({value, value.upper()})
    entry_ids = list(
        session.scalars(select(RegisterEntry.id).where(RegisterEntry.number.in_(forms)))
    )
    case_ids = list(session.scalars(select(Case.id).where(Case.sign.in_(forms))))
    docs: list[int] = []
    for kind, ids in ((ENTRY, entry_ids), (CASE, case_ids)):
        if not ids:
            continue
        params: dict[str, Any] = {"kind": kind, "ids": ids}
        vis = _bind_visibility(params, visibility)
        stmt = _stmt(
            f"SELECT d.id FROM search_doc d WHERE d.kind = :kind AND d.object_id IN :ids{vis}",
            params,
        ).bindparams(bindparam("ids", expanding=True))
        docs.extend(int(doc_id) for (doc_id,) in session.execute(stmt, params))
    return docs


def search(
    db: Database, user: CurrentUser, query: str, limit: int = 50, offset: int = 0
) -> list[SearchHit]:
    """One page of hits for ``query``, best first (see the module docstring for the order)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(
            f"Wyszukiwanie: liczba wyników na stronie musi wynosić 1–{MAX_LIMIT}."
        )
    if offset < 0:
        raise ValidationError("Wyszukiwanie: przesunięcie strony nie może być ujemne.")
    permissions.require(db, user, frozenset(Role), "wyszukiwanie")
    tokens = query_tokens(query)
    with db.session() as session:
        visibility = _visibility(session, user)
        exact = _exact_docs(session, query, visibility)
        exact_set = set(exact)
        ranked: list[tuple[int, float]] = []
        phrase = False
        candidates: list[tuple[int, float]] = []
        if tokens:
            # A scanned number: mentions of exactly that number, not of every RPW/…
            phrase = bool(exact)
            candidates = _candidates(session, tokens, visibility, phrase)
            ranked = sorted(
                (c for c in candidates if c[0] not in exact_set), key=lambda c: (-c[1], -c[0])
            )
        page: list[tuple[int, float, bool]] = []
        start, need = offset, limit
        for section in (
            [(doc, EXACT_RANK, True) for doc in exact],
            [(doc, score, False) for doc, score in ranked],
        ):
            chunk = section[start : start + need]
            page.extend(chunk)
            start = max(0, start - len(section))
            need -= len(chunk)
        if need > 0 and len(candidates) == RANK_CANDIDATES:
            older = _older_hits(
                session,
                tokens,
                visibility,
                phrase,
                below=min(doc for doc, _ in candidates),
                exclude=exact_set,
                limit=need,
                offset=start,
            )
            page.extend((doc, 0.0, False) for doc in older)
        return _hydrate(session, page, tokens)


# ---------------------------------------------------------------------------------
# Turning doc ids into hits
# ---------------------------------------------------------------------------------


@dataclass
class _Source:
    label: str
    title: str
    correspondent: str
    on: date | None
    fields: list[tuple[str, str]]  # (Polish place name, text), searched for the snippet


def _attachment_texts(
    session: Session, column: Any, ids: list[int]
) -> dict[int, list[tuple[str, str]]]:
    texts: dict[int, list[tuple[str, str]]] = {}
    if not ids:
        return texts
    rows = session.execute(
        select(column, Attachment.file_name, Attachment.extracted_text)
        .where(column.in_(ids), Attachment.extracted_text != "")
        .order_by(Attachment.id)
    )
    for owner, file_name, body in rows:
        texts.setdefault(owner, []).append((f"załącznik: {file_name}", body))
    return texts


def _entry_sources(
    session: Session, ids: list[int], tokens: Sequence[str] = ()
) -> dict[int, _Source]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            RegisterEntry.id,
            RegisterEntry.number,
            RegisterEntry.title,
            RegisterEntry.letter_ref,
            RegisterEntry.tracking_no,
            RegisterEntry.notes,
            RegisterEntry.received_on,
            RegisterEntry.sent_on,
            RegisterEntry.registered_at,
            Correspondent.display_name,
        )
        .outerjoin(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .where(RegisterEntry.id.in_(ids))
    ).all()
    # The snippet comes from the first field that matches (sender, notes, attachments, …):
    # attachment text is read only for hits whose sender and notes do not match.
    need_files = [
        r.id
        for r in rows
        if tokens
        and _first_match(r.display_name or "", tokens) is None
        and _first_match(r.notes or "", tokens) is None
    ]
    attachments = _attachment_texts(session, Attachment.entry_id, need_files)
    out = {}
    for eid, number, title, ref, tracking, notes, received, sent, registered, name in rows:
        extras = " ".join(v for v in (ref or "", tracking) if v)
        out[eid] = _Source(
            label=number,
            title=title or "",
            correspondent=name or "",
            on=received or sent or registered.date(),
            fields=[
                ("nadawca/adresat", name or ""),
                ("uwagi", notes),
                *attachments.get(eid, []),
                ("znak pisma, nr nadawczy", extras),
            ],
        )
    return out


def _case_sources(session: Session, ids: list[int]) -> dict[int, _Source]:
    if not ids:
        return {}
    people: dict[int, list[str]] = {}
    linked = session.execute(
        select(Case.id, Correspondent.display_name)
        .join(
            RegisterEntry,
            (RegisterEntry.case_id == Case.id) | (RegisterEntry.id == Case.origin_entry_id),
        )
        .join(Correspondent, Correspondent.id == RegisterEntry.correspondent_id)
        .where(Case.id.in_(ids))
        .order_by(Case.id, RegisterEntry.id)
    )
    for cid, name in linked:
        known = people.setdefault(cid, [])
        if name not in known:
            known.append(name)
    attachments = _attachment_texts(session, Attachment.case_id, ids)
    rows = session.execute(
        select(Case.id, Case.sign, Case.title, Case.outcome, Case.opened_on).where(Case.id.in_(ids))
    )
    out = {}
    for cid, sign, title, outcome, opened in rows:
        names = ", ".join(people.get(cid, []))
        out[cid] = _Source(
            label=sign,
            title=title,
            correspondent=names,
            on=opened,
            fields=[("strony", names), ("sposób załatwienia", outcome), *attachments.get(cid, [])],
        )
    return out


def _hydrate(
    session: Session, page: list[tuple[int, float, bool]], tokens: list[str]
) -> list[SearchHit]:
    if not page:
        return []
    doc_ids = [doc for doc, _, _ in page]
    docs = {
        int(doc_id): (kind, int(object_id))
        for doc_id, kind, object_id in session.execute(
            text("SELECT id, kind, object_id FROM search_doc WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": doc_ids},
        )
    }
    entries = _entry_sources(session, [o for k, o in docs.values() if k == ENTRY], tokens)
    cases = _case_sources(session, [o for k, o in docs.values() if k == CASE])
    hits = []
    for doc, rank, exact in page:
        if doc not in docs:
            continue  # removed between the two queries
        kind, object_id = docs[doc]
        source = (entries if kind == ENTRY else cases).get(object_id)
        if source is None:
            continue
        hits.append(_hit(kind, object_id, source, tokens, rank, exact))
    return hits


def _hit(
    kind: str, object_id: int, source: _Source, tokens: list[str], rank: float, exact: bool
) -> SearchHit:
    snippet, where = "", ""
    spans: list[tuple[int, int]] = []
    if tokens:
        for place, value in source.fields:
            found = _snippet(value, tokens) if value else None
            if found is not None:
                (snippet, spans), where = found, place
                break
    if not snippet and source.correspondent:
        snippet = source.correspondent
        where = "strony" if kind == CASE else "nadawca/adresat"
    return SearchHit(
        kind="entry" if kind == ENTRY else "case",
        object_id=object_id,
        label=source.label,
        title=source.title,
        correspondent=source.correspondent,
        on=source.on,
        snippet=snippet,
        snippet_source=where,
        highlights=tuple(spans),
        title_highlights=tuple(_spans(source.title, tokens)) if tokens else (),
        rank=rank,
        exact=exact,
    )


# ---------------------------------------------------------------------------------
# Maintenance
# ---------------------------------------------------------------------------------


def reindex_all(db: Database) -> int:
    """Rebuild the whole index from the register and cases; returns the number indexed.

    Needed only after data was loaded with the triggers off (or a restore from an old
    dump); the triggers keep it current otherwise.
    """
    with db.session(write=True) as session:
        connection = session.connection()
        for statement in fill_statements(connection.dialect.name):
            connection.exec_driver_sql(statement)
        count = int(session.scalar(select(func.count()).select_from(text("search_doc"))) or 0)
        audit.record(
            session,
            None,
            "search_reindex",
            "system",
            "search",
            summary=f"Przebudowano indeks wyszukiwania ({count} pozycji)",
        )
    log.info("Search index rebuilt: %d documents", count)
    return count
