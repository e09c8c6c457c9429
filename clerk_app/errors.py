"""Errors the user can act on; their messages are shown to the clerk as they are (Polish)."""

from __future__ import annotations


class ClerkError(Exception):
    """Base of all errors with a message meant for the user."""


class ConfigError(ClerkError):
    """The settings file or an option is wrong."""


class ValidationError(ClerkError, ValueError):
    """Input that does not satisfy a rule; the message names the field."""


class ConnectionFailed(ClerkError):
    """The database or a remote service cannot be reached."""


class DatabaseTooNew(ClerkError):
    """The database was migrated by a newer program version."""


class DatabaseOutdated(ClerkError):
    """The shared database needs `clerk-app db upgrade` by the administrator."""


class SecretStoreUnavailable(ClerkError):
    """No OS keyring, and the user has not allowed the file fallback."""


class AuthenticationFailed(ClerkError):
    """Wrong login or password, or an inactive account."""


class PermissionDenied(ClerkError):
    """The signed-in user's roles do not allow the operation."""
