"""ePUAP WS-Pull as an inbox port (oczekujaceDokumenty → pobierzNastepny → potwierdzOdebranie)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from clerk_app.integrations.epuap.client import PullClient
from clerk_app.integrations.epuap.document import (
    Letter,
    LetterAttachment,
    discard_attachments,
    parse_incoming_document,
)
from clerk_app.integrations.epuap.envelope import PulledDocument
from clerk_app.integrations.epuap.errors import (
    EpuapError,
    EpuapProtocolError,
    EpuapStatusError,
    EpuapTransportError,
    SignatureError,
)
from clerk_app.integrations.epuap.filerepo import FileRepoClient
from clerk_app.integrations.epuap.payload import discard
from clerk_app.services.inbox.port import (
    AcknowledgeRefused,
    InboxFile,
    InboxItem,
    InboxItemUnreadable,
    InboxSender,
    InboxUnavailable,
    Payload,
)

CHANNEL = "epuap"
log = logging.getLogger("clerk_app.inbox.epuap")
# Matched against lower-cased bytes: an IGNORECASE scan of a 200 KB letter costs ≈ 1 ms,
# lower() and a case-sensitive one (literal prefix, fast search) a tenth of that.
_URI_ENCODING = re.compile(rb"kodowanie\s*=\s*[\"']\s*uri\s*[\"']")


def message_key(box_address: str, document: PulledDocument, digest: str | None = None) -> str:
    """The ledger key: SHA-1 ``skrot`` with box address and date sent (EPUAP.md).

    Content alone is not enough: two citizens may send byte-identical forms. ``digest``: the
    document's ``skrot`` when the caller has it already (hashing a big document twice costs).
    """
    basis = "\n".join((box_address, document.sent_at.isoformat(), digest or document.digest))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _sender(document: PulledDocument) -> InboxSender:
    data = document.sender
    is_person = (data.person_type or "").upper() not in ("P", "I", "PRAWNA", "INSTYTUCJA")
    first = data.first_name or ""
    last = data.surname_or_name or ""
    name = " ".join(p for p in (first, last) if p) if is_person else last
    return InboxSender(
        display_name=name or data.identifier,
        first_name=first if is_person else "",
        last_name=last if is_person else "",
        institution_name="" if is_person else last,
        is_person=is_person,
        identifier=data.identifier,
        reply_address=document.reply_address or "",
        pesel=data.pesel or "",
        nip=data.nip or "",
        regon=data.regon or "",
    )


def _mentions_uri(content: Payload) -> bool:
    if isinstance(content, bytes):
        return _URI_ENCODING.search(content.lower()) is not None
    tail = b""
    with content.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            chunk = chunk.lower()
            if _URI_ENCODING.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _uri_attachments(content: Payload) -> list[LetterAttachment]:
    """URI attachments of a CRD letter (cheap byte test first: most letters have none)."""
    if not _mentions_uri(content):
        return []
    try:
        parsed = parse_incoming_document(content)
    except Exception:
        return []
    if not isinstance(parsed, Letter):
        return []
    discard_attachments(parsed)  # only the references are wanted here
    return [a for a in parsed.attachments if a.uri and a.file_id]


class EpuapInbox:
    """Adapts :class:`PullClient` to the inbox port; the client stays open until close().

    With a :class:`FileRepoClient`, attachments referenced by URI are downloaded when the
    letter is fetched and handed to the ledger with it (``InboxItem.files``). A FileRepo file
    can be downloaded only once, so each download is first written durably to ``spool_dir``
    (keyed by fileId) and read from there if the letter comes back after a crash; the spool
    file is removed once the letter is acknowledged (it is stored by then).
    """

    channel = CHANNEL
    confirms_in_order = True

    def __init__(
        self,
        client: PullClient,
        *,
        repo: FileRepoClient | None = None,
        spool_dir: Path | None = None,
    ) -> None:
        self.client = client
        self.box = client.mailbox.box_address
        self.repo = repo
        self.spool_dir = spool_dir
        self._spooled: dict[str, list[Path]] = {}  # item key -> spool files
        self._payloads: dict[str, list[Payload]] = {}  # item key -> big answers on disk

    def _spool_path(self, file_id: str) -> Path | None:
        if self.spool_dir is None:
            return None
        return self.spool_dir / hashlib.sha256(file_id.encode("utf-8")).hexdigest()

    def _download(self, key: str, attachment: LetterAttachment) -> InboxFile | None:
        assert self.repo is not None and attachment.file_id and attachment.uri
        spool = self._spool_path(attachment.file_id)
        if spool is not None and spool.exists():
            content = spool.read_bytes()
        else:
            try:
                content = self.repo.download(attachment.file_id)
            except EpuapTransportError as exc:
                # The letter stays at the head of the queue: the next run tries again.
                raise InboxUnavailable(
                    f"Pobranie załącznika „{attachment.file_name}” z repozytorium ePUAP "
                    f"przerwane: {exc}"
                ) from exc
            except EpuapError as exc:
                log.warning(
                    "Załącznik %s (%s) niedostępny w repozytorium ePUAP: %s",
                    attachment.file_name,
                    attachment.file_id,
                    exc,
                )
                return None
            if spool is not None:
                _write_durably(spool, content)
        if spool is not None:
            self._spooled.setdefault(key, []).append(spool)
        return InboxFile(
            attachment.file_name,
            content,
            attachment.mime_type or "application/octet-stream",
            uri=attachment.uri,
        )

    def pending(self) -> int:
        try:
            return self.client.pending().count
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc

    def fetch_next(self) -> InboxItem | None:
        try:
            result = self.client.fetch_next()
        except (EpuapProtocolError, SignatureError) as exc:
            # Truncated or tampered answer: asking again is safe (the head stays put).
            raise InboxItemUnreadable(str(exc)) from exc
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc
        document = result.document
        if document is None:
            return None
        digest = document.digest
        key = message_key(self.box, document, digest)
        # Spooled answers live until the message is acknowledged (or the port closes).
        self._payloads.setdefault(key, []).extend((result.raw_response, document.content))
        files: list[InboxFile] = []
        if self.repo is not None:
            for attachment in _uri_attachments(document.content):
                downloaded = self._download(key, attachment)
                if downloaded is not None:
                    files.append(downloaded)
        return InboxItem(
            channel=CHANNEL,
            box=self.box,
            key=key,
            files=tuple(files),
            ack_token=digest,
            raw=result.raw_response,
            file_name=document.file_name,
            content=document.content,
            media_type=document.file_type,
            sent_at=document.sent_at,
            sender=_sender(document),
            is_test=document.is_test,
        )

    def acknowledge(self, item: InboxItem) -> None:
        try:
            self.client.confirm(item.ack_token)
        except EpuapStatusError as exc:
            raise AcknowledgeRefused(str(exc)) from exc
        except EpuapError as exc:
            raise InboxUnavailable(str(exc)) from exc
        for path in self._spooled.pop(item.key, []):
            path.unlink(missing_ok=True)
        for payload in self._payloads.pop(item.key, []):
            discard(payload)

    def close(self) -> None:
        for payloads in self._payloads.values():
            for payload in payloads:
                discard(payload)
        self._payloads.clear()
        self.client.close()
        if self.repo is not None:
            self.repo.close()


def _write_durably(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    if os.name == "posix":
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
