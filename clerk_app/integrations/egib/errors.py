"""Errors raised by the GML / GeoJSON readers (messages are shown to the clerk, in Polish)."""

from __future__ import annotations

from pathlib import Path


class GmlImportError(ValueError):
    """The file cannot be imported at all (not EGiB, DTD, truncated, unknown CRS, ...)."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        feature: str | None = None,
    ) -> None:
        self.reason = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.feature = feature
        where = []
        if self.path is not None:
            where.append(f"plik {self.path.name}")
        if feature:
            where.append(f"obiekt {feature}")
        if line:
            where.append(f"wiersz {line}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)


class ImportCancelled(Exception):
    """The cancel check asked the reader to stop; nothing read so far should be kept."""

    def __init__(self) -> None:
        super().__init__("Import przerwany na żądanie użytkownika.")


class FeatureRejected(ValueError):
    """One feature cannot be used; the reader records it and goes on with the next one."""
