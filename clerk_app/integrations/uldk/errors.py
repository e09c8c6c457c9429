"""Errors of the ULDK integration; messages are Polish and meant for the clerk."""

from __future__ import annotations


class UldkError(Exception):
    """ULDK answered with an error, or with something that cannot be read.

    ``service_message`` holds the service's own text (after ``-1``) when there is one.
    """

    def __init__(self, message: str, service_message: str | None = None) -> None:
        super().__init__(message)
        self.service_message = service_message


class UldkUnavailable(UldkError):
    """The service cannot be used now: down, timeout, HTTP error, an HTML page instead of data."""


class UldkDatabaseDisconnected(UldkUnavailable):
    """ULDK's intermittent "Brak połączenia ze zbiorczą bazą"; worth retrying."""


class UldkNotFound(UldkError):
    """ULDK knows no parcel for the query."""


class UldkMismatch(UldkError):
    """ULDK returned parcels that do not match the query (another id, precinct or number)."""


class UldkQueryError(ValueError):
    """The query cannot be sent: bad id, coordinates outside Poland, empty text."""
