"""Full-text search index objects (schema only: DDL text, no sessions, no queries).

Both databases keep one row per searchable object in ``search_doc`` (``kind`` is
``entry`` or ``case``); its ``id`` grows in indexing order, so "newest first" is
``ORDER BY id DESC`` on both. The folded text lives in:

- SQLite: the FTS5 table ``search_fts`` (rowid = ``search_doc.id``) with columns
  ``label`` (number/sign, sender's reference, tracking number), ``title``, ``people``
  (correspondents) and ``body`` (notes, outcome, attachment text). Text is folded by
  ``clerk_fold()``, the Python ``text_fold.fold`` registered on every connection
  (``services/database.py``), because FTS5's ``remove_diacritics`` does not fold ł.
- PostgreSQL: ``search_doc.tsv`` (``tsvector``, config ``simple``, weights A–D for the
  same four parts) with a GIN index; ``search_fold()`` is an IMMUTABLE SQL function
  that folds like ``text_fold.fold`` for Latin letters.

Database triggers keep the index current, so the register and case services never
call the search service. These objects are not SQLAlchemy models; autogenerate
skips them through :func:`include_object`.

Warning for later migrations on SQLite: a ``batch_alter_table`` that recreates
``register_entry``, ``cases``, ``correspondent`` or ``attachment`` drops that table's
triggers (and the rename can fail on triggers of other tables that name it). Run
:func:`drop_statements` before such a batch and :func:`create_trigger_statements`
after it, then rebuild with ``services.search.reindex_all``.
"""

from __future__ import annotations

from typing import Any

#: Tables (and FTS5 shadow tables) that belong to the search index.
SEARCH_TABLE_PREFIXES = ("search_doc", "search_fts")

ENTRY = "entry"
CASE = "case"

# Frozen copy of what ``text_fold.fold`` does to single Latin letters (generated from it):
# PostgreSQL has no Python, so the index side folds with translate().
_FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄ"
    "ąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃ"
    "ńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏ"
    "ǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚț"
    "ȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ"
)
_FOLD_TO = (
    "aaaaaaceeeeiiiinoooooouuuuyaaaaaaceeeeiiiinoooooouuuuyyaaaaa"
    "accccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkklllllllllln"
    "nnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaai"
    "ioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstt"
    "hhaaeeooooooooyy"
)
_FOLD_MULTI = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "ae",
    "þ": "th",
    "Þ": "th",
    "œ": "oe",
    "Œ": "oe",
    "ĳ": "ij",
    "Ĳ": "ij",
}

#: Attachment text beyond this many characters is not indexed (PostgreSQL's tsvector
#: is limited to 1 MB; the text extractor already caps what it stores).
MAX_INDEXED_BODY_CHARS = 200_000

# ---------------------------------------------------------------------------------
# What gets indexed, as SQL over the base tables (``{ids}`` is a value or a SELECT).
# ---------------------------------------------------------------------------------

_ENTRY_LABEL = "e.number || ' ' || coalesce(e.letter_ref, '') || ' ' || e.tracking_no"
_CASE_LABEL = "c.sign"


def _sqlite_entry_body() -> str:
    return (
        "substr(e.notes || ' ' || coalesce((SELECT group_concat(a.extracted_text, ' ') "
        "FROM attachment a WHERE a.entry_id = e.id), ''), 1, "
        f"{MAX_INDEXED_BODY_CHARS})"
    )


def _sqlite_case_people() -> str:
    return (
        "coalesce((SELECT group_concat(DISTINCT cr.display_name) FROM register_entry e2 "
        "JOIN correspondent cr ON cr.id = e2.correspondent_id "
        "WHERE e2.case_id = c.id OR e2.id = c.origin_entry_id), '')"
    )


def _sqlite_case_body() -> str:
    return (
        "substr(c.outcome || ' ' || coalesce((SELECT group_concat(a.extracted_text, ' ') "
        "FROM attachment a WHERE a.case_id = c.id), ''), 1, "
        f"{MAX_INDEXED_BODY_CHARS})"
    )


def _sqlite_refresh(kind: str, ids: str) -> list[str]:
    """Statements that (re)build the FTS rows of objects ``ids`` (missing objects drop out)."""
    table, alias = ("register_entry", "e") if kind == ENTRY else ("cases", "c")
    if kind == ENTRY:
        columns = (
            f"clerk_fold({_ENTRY_LABEL}), clerk_fold(coalesce(e.title, '')), "
            f"clerk_fold(coalesce(cr.display_name, '')), clerk_fold({_sqlite_entry_body()})"
        )
        joins = "LEFT JOIN correspondent cr ON cr.id = e.correspondent_id"
    else:
        columns = (
            f"clerk_fold({_CASE_LABEL}), clerk_fold(c.title), "
            f"clerk_fold({_sqlite_case_people()}), clerk_fold({_sqlite_case_body()})"
        )
        joins = ""
    return [
        f"DELETE FROM search_fts WHERE rowid IN (SELECT d.id FROM search_doc d "
        f"WHERE d.kind = '{kind}' AND d.object_id IN ({ids}))",
        f"DELETE FROM search_doc WHERE kind = '{kind}' AND object_id IN ({ids}) "
        f"AND object_id NOT IN (SELECT id FROM {table} WHERE id IN ({ids}))",
        f"INSERT OR IGNORE INTO search_doc (kind, object_id) "
        f"SELECT '{kind}', id FROM {table} WHERE id IN ({ids})",
        f"INSERT INTO search_fts (rowid, label, title, people, body) "
        f"SELECT d.id, {columns} FROM {table} {alias} {joins} "
        f"JOIN search_doc d ON d.kind = '{kind}' AND d.object_id = {alias}.id "
        f"WHERE {alias}.id IN ({ids})",
    ]


def _sqlite_trigger(name: str, event: str, table: str, body: list[str]) -> str:
    statements = ";\n  ".join(body)
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN\n  {statements};\nEND"
    )


_CASES_OF_CORRESPONDENT = (
    "SELECT case_id FROM register_entry WHERE correspondent_id = NEW.id AND case_id IS NOT NULL "
    "UNION SELECT c.id FROM cases c JOIN register_entry e ON e.id = c.origin_entry_id "
    "WHERE e.correspondent_id = NEW.id"
)

ENTRY_COLUMNS = "number, title, correspondent_id, letter_ref, tracking_no, notes, case_id"
CASE_COLUMNS = "sign, title, outcome, origin_entry_id"
ATTACHMENT_COLUMNS = "entry_id, case_id, extracted_text"


def _sqlite_triggers() -> list[str]:
    r = _sqlite_refresh
    return [
        _sqlite_trigger(
            "search_entry_ai",
            "INSERT",
            "register_entry",
            r(ENTRY, "NEW.id") + r(CASE, "NEW.case_id"),
        ),
        _sqlite_trigger(
            "search_entry_au",
            f"UPDATE OF {ENTRY_COLUMNS}",
            "register_entry",
            r(ENTRY, "NEW.id") + r(CASE, "NEW.case_id, OLD.case_id"),
        ),
        _sqlite_trigger(
            "search_entry_ad",
            "DELETE",
            "register_entry",
            r(ENTRY, "OLD.id") + r(CASE, "OLD.case_id"),
        ),
        _sqlite_trigger("search_case_ai", "INSERT", "cases", r(CASE, "NEW.id")),
        _sqlite_trigger("search_case_au", f"UPDATE OF {CASE_COLUMNS}", "cases", r(CASE, "NEW.id")),
        _sqlite_trigger("search_case_ad", "DELETE", "cases", r(CASE, "OLD.id")),
        _sqlite_trigger(
            "search_correspondent_au",
            "UPDATE OF display_name",
            "correspondent",
            r(ENTRY, "SELECT id FROM register_entry WHERE correspondent_id = NEW.id")
            + r(CASE, _CASES_OF_CORRESPONDENT),
        ),
        _sqlite_trigger(
            "search_attachment_ai",
            "INSERT",
            "attachment",
            r(ENTRY, "NEW.entry_id") + r(CASE, "NEW.case_id"),
        ),
        _sqlite_trigger(
            "search_attachment_au",
            f"UPDATE OF {ATTACHMENT_COLUMNS}",
            "attachment",
            r(ENTRY, "NEW.entry_id, OLD.entry_id") + r(CASE, "NEW.case_id, OLD.case_id"),
        ),
        _sqlite_trigger(
            "search_attachment_ad",
            "DELETE",
            "attachment",
            r(ENTRY, "OLD.entry_id") + r(CASE, "OLD.case_id"),
        ),
    ]


_SQLITE_TRIGGER_NAMES = [
    "search_entry_ai",
    "search_entry_au",
    "search_entry_ad",
    "search_case_ai",
    "search_case_au",
    "search_case_ad",
    "search_correspondent_au",
    "search_attachment_ai",
    "search_attachment_au",
    "search_attachment_ad",
]

# ---------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------


def _pg_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_fold_function() -> str:
    expr = "coalesce(t, '')"
    for src, dst in _FOLD_MULTI.items():
        expr = f"replace({expr}, {_pg_literal(src)}, {_pg_literal(dst)})"
    expr = f"lower(translate({expr}, {_pg_literal(_FOLD_FROM)}, {_pg_literal(_FOLD_TO)}))"
    # Punctuation splits words the same way as the query side (RPW/12/2026 → rpw 12 2026).
    expr = f"regexp_replace({expr}, '[^[:alnum:]]+', ' ', 'g')"
    return (
        "CREATE FUNCTION search_fold(t text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fold$ SELECT {expr} $fold$"
    )


def _pg_vector(parts: list[tuple[str, str]]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, search_fold({sql})), '{weight}')"
        for sql, weight in parts
    )


def _pg_functions() -> list[str]:
    entry_vector = _pg_vector(
        [
            (_ENTRY_LABEL, "A"),
            ("e.title", "B"),
            ("cr.display_name", "C"),
            (
                "left(e.notes || ' ' || coalesce((SELECT string_agg(a.extracted_text, ' ' "
                "ORDER BY a.id) FROM attachment a WHERE a.entry_id = e.id), ''), "
                f"{MAX_INDEXED_BODY_CHARS})",
                "D",
            ),
        ]
    )
    case_vector = _pg_vector(
        [
            (_CASE_LABEL, "A"),
            ("c.title", "B"),
            (
                "(SELECT string_agg(DISTINCT cr.display_name, ' ') FROM register_entry e2 "
                "JOIN correspondent cr ON cr.id = e2.correspondent_id "
                "WHERE e2.case_id = c.id OR e2.id = c.origin_entry_id)",
                "C",
            ),
            (
                "left(c.outcome || ' ' || coalesce((SELECT string_agg(a.extracted_text, ' ' "
                "ORDER BY a.id) FROM attachment a WHERE a.case_id = c.id), ''), "
                f"{MAX_INDEXED_BODY_CHARS})",
                "D",
            ),
        ]
    )
    return [
        _pg_fold_function(),
        "CREATE FUNCTION search_entry_tsv(obj integer) RETURNS tsvector LANGUAGE sql STABLE "
        f"AS $body$ SELECT {entry_vector} FROM register_entry e "
        "LEFT JOIN correspondent cr ON cr.id = e.correspondent_id WHERE e.id = obj $body$",
        "CREATE FUNCTION search_case_tsv(obj integer) RETURNS tsvector LANGUAGE sql STABLE "
        f"AS $body$ SELECT {case_vector} FROM cases c WHERE c.id = obj $body$",
        """CREATE FUNCTION search_refresh(k text, obj integer) RETURNS void
LANGUAGE plpgsql AS $body$
DECLARE
  v tsvector;
BEGIN
  IF obj IS NULL THEN
    RETURN;
  END IF;
  IF k = 'entry' THEN
    v := search_entry_tsv(obj);
  ELSE
    v := search_case_tsv(obj);
  END IF;
  IF v IS NULL THEN
    DELETE FROM search_doc WHERE kind = k AND object_id = obj;
  ELSE
    INSERT INTO search_doc (kind, object_id, tsv) VALUES (k, obj, v)
    ON CONFLICT (kind, object_id) DO UPDATE SET tsv = EXCLUDED.tsv;
  END IF;
END
$body$""",
        """CREATE FUNCTION search_entry_trg() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM search_refresh('entry', OLD.id);
    PERFORM search_refresh('case', OLD.case_id);
    RETURN OLD;
  END IF;
  PERFORM search_refresh('entry', NEW.id);
  PERFORM search_refresh('case', NEW.case_id);
  IF TG_OP = 'UPDATE' AND OLD.case_id IS DISTINCT FROM NEW.case_id THEN
    PERFORM search_refresh('case', OLD.case_id);
  END IF;
  RETURN NEW;
END
$body$""",
        """CREATE FUNCTION search_case_trg() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM search_refresh('case', OLD.id);
    RETURN OLD;
  END IF;
  PERFORM search_refresh('case', NEW.id);
  RETURN NEW;
END
$body$""",
        """CREATE FUNCTION search_correspondent_trg() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  obj integer;
BEGIN
  FOR obj IN SELECT id FROM register_entry WHERE correspondent_id = NEW.id LOOP
    PERFORM search_refresh('entry', obj);
  END LOOP;
  FOR obj IN SELECT case_id FROM register_entry
             WHERE correspondent_id = NEW.id AND case_id IS NOT NULL
             UNION SELECT c.id FROM cases c JOIN register_entry e ON e.id = c.origin_entry_id
             WHERE e.correspondent_id = NEW.id LOOP
    PERFORM search_refresh('case', obj);
  END LOOP;
  RETURN NEW;
END
$body$""",
        """CREATE FUNCTION search_attachment_trg() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM search_refresh('entry', OLD.entry_id);
    PERFORM search_refresh('case', OLD.case_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM search_refresh('entry', NEW.entry_id);
    PERFORM search_refresh('case', NEW.case_id);
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$body$""",
    ]


def _pg_triggers() -> list[str]:
    def trg(name: str, event: str, table: str, function: str) -> str:
        return (
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )

    return [
        trg("search_entry_ai", "INSERT", "register_entry", "search_entry_trg"),
        trg("search_entry_au", f"UPDATE OF {ENTRY_COLUMNS}", "register_entry", "search_entry_trg"),
        trg("search_entry_ad", "DELETE", "register_entry", "search_entry_trg"),
        trg("search_case_ai", "INSERT", "cases", "search_case_trg"),
        trg("search_case_au", f"UPDATE OF {CASE_COLUMNS}", "cases", "search_case_trg"),
        trg("search_case_ad", "DELETE", "cases", "search_case_trg"),
        trg(
            "search_correspondent_au",
            "UPDATE OF display_name",
            "correspondent",
            "search_correspondent_trg",
        ),
        trg(
            "search_attachment_aiud",
            f"INSERT OR DELETE OR UPDATE OF {ATTACHMENT_COLUMNS}",
            "attachment",
            "search_attachment_trg",
        ),
    ]


_PG_TRIGGERS = [
    ("search_entry_ai", "register_entry"),
    ("search_entry_au", "register_entry"),
    ("search_entry_ad", "register_entry"),
    ("search_case_ai", "cases"),
    ("search_case_au", "cases"),
    ("search_case_ad", "cases"),
    ("search_correspondent_au", "correspondent"),
    ("search_attachment_aiud", "attachment"),
]
_PG_FUNCTIONS = [
    "search_attachment_trg()",
    "search_correspondent_trg()",
    "search_case_trg()",
    "search_entry_trg()",
    "search_refresh(text, integer)",
    "search_case_tsv(integer)",
    "search_entry_tsv(integer)",
    "search_fold(text)",
]

# ---------------------------------------------------------------------------------
# Public DDL
# ---------------------------------------------------------------------------------


def table_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            "CREATE TABLE search_doc (id INTEGER PRIMARY KEY, kind VARCHAR(10) NOT NULL, "
            "object_id INTEGER NOT NULL, CONSTRAINT uq_search_doc_kind UNIQUE (kind, object_id))",
            # Regular (content-keeping) FTS5 table: SQLite 3.40 cannot delete rows from a
            # contentless one by rowid alone. Prefix indexes keep "wisn*" fast.
            "CREATE VIRTUAL TABLE search_fts USING fts5(label, title, people, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
        ]
    return [
        "CREATE TABLE search_doc (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        "kind VARCHAR(10) NOT NULL, object_id INTEGER NOT NULL, tsv tsvector NOT NULL, "
        "CONSTRAINT uq_search_doc_kind UNIQUE (kind, object_id))",
        "CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)",
    ]


def create_trigger_statements(dialect: str) -> list[str]:
    """Functions (PostgreSQL) and triggers that keep the index current."""
    if dialect == "sqlite":
        return _sqlite_triggers()
    return _pg_functions() + _pg_triggers()


def create_statements(dialect: str) -> list[str]:
    return table_statements(dialect) + create_trigger_statements(dialect)


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGER_NAMES]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in _PG_TRIGGERS] + [
        f"DROP FUNCTION IF EXISTS {signature}" for signature in _PG_FUNCTIONS
    ]


def drop_statements(dialect: str) -> list[str]:
    tables = ["DROP TABLE IF EXISTS search_doc"]
    if dialect == "sqlite":
        tables.insert(0, "DROP TABLE IF EXISTS search_fts")
    return drop_trigger_statements(dialect) + tables


def fill_statements(dialect: str) -> list[str]:
    """Index every existing entry and case, oldest first (so ``id`` order is age order)."""
    if dialect == "sqlite":
        return [
            "DELETE FROM search_fts",
            "DELETE FROM search_doc",
            # One ordered pass over both kinds: entries by registration, cases by creation.
            "INSERT INTO search_doc (kind, object_id) SELECT kind, object_id FROM ("
            "SELECT 'entry' AS kind, id AS object_id, registered_at AS at FROM register_entry "
            "UNION ALL SELECT 'case', id, created_at FROM cases) ORDER BY at, kind, object_id",
            *_sqlite_refresh(ENTRY, "SELECT object_id FROM search_doc WHERE kind = 'entry'")[3:],
            *_sqlite_refresh(CASE, "SELECT object_id FROM search_doc WHERE kind = 'case'")[3:],
        ]
    return [
        "TRUNCATE search_doc",
        "INSERT INTO search_doc (kind, object_id, tsv) SELECT kind, object_id, "
        "CASE WHEN kind = 'entry' THEN search_entry_tsv(object_id) "
        "ELSE search_case_tsv(object_id) END FROM ("
        "SELECT 'entry' AS kind, id AS object_id, registered_at AS at FROM register_entry "
        "UNION ALL SELECT 'case', id, created_at FROM cases) src ORDER BY at, kind, object_id",
    ]


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: the search index is managed by hand-written DDL, not by the models."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    table = getattr(obj, "table", None)
    table_name = getattr(table, "name", "") or ""
    return not (
        type_ in ("index", "column", "unique_constraint")
        and table_name.startswith(SEARCH_TABLE_PREFIXES)
    )
