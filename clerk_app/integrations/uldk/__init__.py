"""ULDK, the national parcel location service (uldk.gugik.gov.pl)."""

from clerk_app.integrations.uldk.client import DEFAULT_BASE_URL, UldkClient
from clerk_app.integrations.uldk.errors import (
    UldkDatabaseDisconnected,
    UldkError,
    UldkMismatch,
    UldkNotFound,
    UldkQueryError,
    UldkUnavailable,
)
from clerk_app.integrations.uldk.response import UldkGeometry, UldkParcel
from clerk_app.integrations.uldk.tls import uldk_ssl_context

__all__ = [
    "DEFAULT_BASE_URL",
    "UldkClient",
    "UldkDatabaseDisconnected",
    "UldkError",
    "UldkGeometry",
    "UldkMismatch",
    "UldkNotFound",
    "UldkParcel",
    "UldkQueryError",
    "UldkUnavailable",
    "uldk_ssl_context",
]
