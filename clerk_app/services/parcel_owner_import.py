"""Owners of imported parcels: staged in temporary tables, joined into ``parcel_owner`` at the end.

Shares, subjects and addresses may come anywhere in the file (usually after the parcels), and a
county has as many owners as parcels, so nothing is kept in memory: every object goes to a
temporary table of this transaction's connection, and one ``INSERT … SELECT`` resolves the
chain parcel → register unit (JRG) → share → subject (a marriage: its two persons) → address.
A re-imported parcel whose register unit has shares in the file gets exactly those owners.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from clerk_app.integrations.egib.records import (
    OwnershipShareRecord,
    SubjectAddressRecord,
    SubjectRecord,
)
from clerk_app.services.parcel_bulk_insert import insert_rows

OWNER_RECORDS = (OwnershipShareRecord, SubjectRecord, SubjectAddressRecord)
_FLUSH_AT = 2_000
_TABLES = {
    "parcel_import_owner_parcel": ("parcel_id", "jrg"),
    "parcel_import_share": ("seq", "jrg", "subject", "share"),
    "parcel_import_subject": ("subject", "name", "address_ref", "address"),
    "parcel_import_member": ("subject", "member", "seq"),
    "parcel_import_address": ("address_key", "text"),
}
# Marriage members are listed one per row; the note says the share is held jointly.
_MARRIAGE_NOTE = " wsp. małż."
_RESOLVE = """
INSERT INTO parcel_owner (parcel_pk, name, share, address)
SELECT p.id, substr(o.name, 1, 300), substr(sh.share || h.note, 1, 30),
       substr(coalesce(o.address, a.text, ''), 1, 300)
FROM (SELECT DISTINCT parcel_id, jrg FROM parcel_import_owner_parcel) op
JOIN parcel p ON p.parcel_id = op.parcel_id
JOIN parcel_import_share sh ON sh.jrg = op.jrg
JOIN (
    SELECT s.subject AS subject, s.subject AS holder, 0 AS pos, '' AS note
    FROM parcel_import_subject s WHERE s.name <> ''
    UNION ALL
    SELECT m.subject, m.member, m.seq, {note} FROM parcel_import_member m
) h ON h.subject = sh.subject
JOIN parcel_import_subject o ON o.subject = h.holder AND o.name <> ''
LEFT JOIN parcel_import_address a ON a.address_key = o.address_ref
ORDER BY p.id, sh.seq, h.pos
"""
_REPLACED = """
DELETE FROM parcel_owner WHERE parcel_pk IN (
    SELECT p.id FROM parcel_import_owner_parcel op
    JOIN parcel p ON p.parcel_id = op.parcel_id
    JOIN parcel_import_share sh ON sh.jrg = op.jrg
)
"""


class OwnerStaging:
    """Collects owner objects and parcel → register unit links during one import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _TABLES}
        self._created = False
        self._shares = 0

    def add_parcel(self, parcel_id: str, register_unit_ref: str) -> None:
        self._buffer("parcel_import_owner_parcel", (parcel_id, register_unit_ref))

    def add(self, record: Any) -> None:
        if isinstance(record, OwnershipShareRecord):
            for subject in record.subject_refs:
                self._shares += 1
                self._buffer(
                    "parcel_import_share",
                    (self._shares, record.register_unit_ref, subject, record.share),
                )
        elif isinstance(record, SubjectRecord):
            self._buffer(
                "parcel_import_subject",
                (record.key, record.name, record.address_ref, record.address),
            )
            for position, member in enumerate(record.member_refs, start=1):
                self._buffer("parcel_import_member", (record.key, member, position))
        elif isinstance(record, SubjectAddressRecord):
            self._buffer("parcel_import_address", (record.key, record.text))

    def resolve(self) -> int:
        """Replace the owners of the parcels the file has shares for; the owner rows written."""
        if not self._shares:
            self._drop()
            return 0
        self._flush_all()
        connection = self.session.connection()
        connection.exec_driver_sql(_REPLACED)
        note = f"'{_MARRIAGE_NOTE}'"
        written = connection.exec_driver_sql(_RESOLVE.format(note=note)).rowcount
        self._drop()
        return max(int(written or 0), 0)

    # -- plumbing ------------------------------------------------------------------------

    def _buffer(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self._buffers[table]
        rows.append(row)
        if len(rows) >= _FLUSH_AT:
            self._flush(table)

    def _flush_all(self) -> None:
        for table in _TABLES:
            self._flush(table)

    def _flush(self, table: str) -> None:
        rows = self._buffers[table]
        if not rows:
            return
        self._create()
        insert_rows(self.session.connection(), table, _TABLES[table], rows)
        self._buffers[table] = []

    def _create(self) -> None:
        if self._created:
            return
        connection = self.session.connection()
        suffix = " ON COMMIT DROP" if connection.dialect.name == "postgresql" else ""
        for table, columns in _TABLES.items():
            types = ", ".join(f"{c} {'BIGINT' if c == 'seq' else 'TEXT'}" for c in columns)
            connection.exec_driver_sql(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({types}){suffix}"
            )
            connection.exec_driver_sql(f"DELETE FROM {table}")
        # The joins look up by these keys: index them (the tables can hold a county's owners).
        for table, column in (
            ("parcel_import_owner_parcel", "jrg"),
            ("parcel_import_share", "jrg"),
            ("parcel_import_subject", "subject"),
            ("parcel_import_member", "subject"),
            ("parcel_import_address", "address_key"),
        ):
            connection.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table} ({column})"
            )
        self._created = True

    def _drop(self) -> None:
        self._buffers = {name: [] for name in _TABLES}
        if not self._created:
            return
        connection = self.session.connection()
        for table in _TABLES:
            connection.exec_driver_sql(f"DROP TABLE {table}")
        self._created = False
