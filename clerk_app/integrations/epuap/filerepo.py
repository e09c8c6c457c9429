"""FileRepo downloads: large letter attachments referenced by a URI (``kodowanie="URI"``).

Only the ``fileId`` of the URI is used; the request always goes to the configured ePUAP host
(``/repo-ws-ext/FileRepoService/download?fileId=…``), never to a host named inside a letter —
a hostile letter cannot make the office fetch arbitrary addresses. A file can be downloaded
only once: the caller stores it at first download (see ``EpuapInbox``).
"""

from __future__ import annotations

import re
from types import TracebackType

import httpx

from clerk_app.integrations.epuap.client import (
    ClientSettings,
    ResponseTooLargeError,
    http_client,
)
from clerk_app.integrations.epuap.errors import EpuapHttpError, EpuapTransportError

FILE_REPO_PATH = "/repo-ws-ext/FileRepoService"
DOWNLOAD_PATH = f"{FILE_REPO_PATH}/download"
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
_FILE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


def download_uri(base_url: str, file_id: str) -> str:
    return f"{base_url.rstrip('/')}{DOWNLOAD_PATH}?fileId={file_id}"


class FileRepoClient:
    """Downloads FileRepo files from the configured ePUAP host (no retries: one-shot files)."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self._http = http_client(settings, transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FileRepoClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def download(self, file_id: str) -> bytes:
        if not _FILE_ID.match(file_id):
            raise EpuapHttpError(400, f"nieprawidłowy identyfikator pliku {file_id[:60]!r}")
        try:
            with self._http.stream("GET", DOWNLOAD_PATH, params={"fileId": file_id}) as response:
                if response.status_code != 200:
                    response.read()
                    raise EpuapHttpError(response.status_code, response.text[:200])
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ResponseTooLargeError(
                            f"Plik {file_id} z repozytorium ePUAP przekracza {self.max_bytes} B"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TransportError as exc:
            raise EpuapTransportError(
                f"Pobieranie pliku {file_id} z repozytorium ePUAP przerwane: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
