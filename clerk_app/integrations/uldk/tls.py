"""TLS settings for ULDK.

With OpenSSL 3, handshakes with the ULDK server intermittently fail with "unsafe legacy
renegotiation disabled". The fix is to allow legacy server connections, which OpenSSL 3 turned
off by default; certificate and host name verification stay on.
"""

from __future__ import annotations

import os
import ssl

import certifi

# ssl.OP_LEGACY_SERVER_CONNECT exists from Python 3.12; the OpenSSL value is the same bit.
OP_LEGACY_SERVER_CONNECT: int = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)


def uldk_ssl_context(extra_ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying client context that tolerates ULDK's legacy renegotiation.

    Trusts the system store and certifi's bundle; ``extra_ca_file`` adds a CA, e.g. an office
    proxy's (or a test server's).
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.load_verify_locations(cafile=certifi.where())
    if extra_ca_file is not None:
        context.load_verify_locations(cafile=os.fspath(extra_ca_file))
    context.options |= OP_LEGACY_SERVER_CONNECT
    # create_default_context already sets these; state them so a reader sees verification is on.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
