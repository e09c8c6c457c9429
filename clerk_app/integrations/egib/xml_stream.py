"""Hardened, constant-memory iteration over the features of a GML FeatureCollection.

Outside XML is hostile: no DTD, no entities, no network, libxml2's size limits kept
(``huge_tree=False``), any DOCTYPE rejected, the file and the gap between two features bounded.
Processed features are cleared and detached, so memory stays flat for multi-GB files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from clerk_app.integrations.egib.errors import GmlImportError, ImportCancelled
from clerk_app.integrations.egib.geometry import GML_NAMESPACES, local_name

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

MAX_FILE_BYTES = 64 * 1024**3
# Nothing in a parcel or zone export comes near this between two features; a file that does
# is not a feature collection we can stream (and would otherwise pile up in memory).
MAX_BYTES_BETWEEN_FEATURES = 256 * 1024**2
_PROGRESS_STEP = 1024**2
_HEAD_BYTES = 64 * 1024
_WRAPPERS = frozenset({"featureMember", "member"})
_WRAPPER_NAMESPACES = GML_NAMESPACES | {
    "http://www.opengis.net/wfs/2.0",
    "http://www.opengis.net/wfs",
}
_PLURAL_WRAPPER = "featureMembers"
_WRAPPER_TAGS = frozenset(f"{{{ns}}}{name}" for ns in _WRAPPER_NAMESPACES for name in _WRAPPERS)


class _GuardedReader:
    """File wrapper that counts bytes for progress, checks cancel and enforces size limits."""

    def __init__(
        self,
        handle: BinaryIO,
        path: Path,
        total: int,
        progress: ProgressCallback | None,
        cancel: CancelCheck | None,
        max_bytes: int,
        max_gap: int,
    ) -> None:
        self._handle = handle
        self._path = path
        self.total = total
        self._progress = progress
        self._cancel = cancel
        self._max_bytes = max_bytes
        self._max_gap = max_gap
        self.bytes_read = 0
        self.last_feature_at = 0
        self._reported = 0

    def read(self, size: int = -1) -> bytes:
        if self._cancel is not None and self._cancel():
            raise ImportCancelled()
        data = self._handle.read(size)
        self.bytes_read += len(data)
        if self.bytes_read > self._max_bytes:
            raise GmlImportError(
                f"plik przekracza dopuszczalny rozmiar {self._max_bytes} bajtów", path=self._path
            )
        if self.bytes_read - self.last_feature_at > self._max_gap:
            raise GmlImportError(
                "zbyt duży fragment pliku bez obiektów GML — to nie jest eksport obiektów "
                "(featureMember) lub pojedynczy obiekt jest nadmiernie duży",
                path=self._path,
            )
        if self._progress is not None and (
            not data or self.bytes_read - self._reported >= _PROGRESS_STEP
        ):
            self._reported = self.bytes_read
            self._progress(self.bytes_read, self.total)
        return data


class FeatureStream:
    """Iterates the feature elements of a GML file; each is cleared once the caller moves on."""

    def __init__(
        self,
        path: Path | str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        max_bytes: int = MAX_FILE_BYTES,
        max_bytes_between_features: int = MAX_BYTES_BETWEEN_FEATURES,
    ) -> None:
        self.path = Path(path)
        self.progress = progress
        self.cancel = cancel
        self.max_bytes = max_bytes
        self.max_gap = max_bytes_between_features
        self.namespaces: set[str] = set()
        self.envelope_srs_name: str | None = None
        self.root_name: str | None = None
        self.bytes_read = 0
        self.total_bytes = 0

    def __iter__(self) -> Iterator[etree._Element]:
        try:
            self.total_bytes = os.path.getsize(self.path)
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            raise GmlImportError(
                f"nie można otworzyć pliku: {exc.strerror}", path=self.path
            ) from exc
        if self.total_bytes > self.max_bytes:
            handle.close()
            raise GmlImportError(
                f"plik przekracza dopuszczalny rozmiar {self.max_bytes} bajtów", path=self.path
            )
        try:
            plural = self._check_head(handle.read(_HEAD_BYTES))
            handle.seek(0)
            reader = _GuardedReader(
                handle,
                self.path,
                self.total_bytes,
                self.progress,
                self.cancel,
                self.max_bytes,
                self.max_gap,
            )
            yield from self._features(reader, plural)
        finally:
            handle.close()

    def _check_head(self, head: bytes) -> bool:
        """Reject DOCTYPE and non-XML early; tell whether features sit in gml:featureMembers."""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = head.decode("utf-16", errors="replace")
        else:
            text = head.decode("latin-1")
        stripped = text.lstrip("\ufeff\xef\xbb\xbf \t\r\n")
        if not stripped.startswith("<"):
            raise GmlImportError("to nie jest plik XML/GML", path=self.path)
        upper = text.upper()
        if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
            raise GmlImportError(
                "plik zawiera deklarację DOCTYPE/DTD — odrzucony ze względów bezpieczeństwa",
                path=self.path,
            )
        return f":{_PLURAL_WRAPPER}" in text or f"<{_PLURAL_WRAPPER}" in text

    def _features(self, reader: _GuardedReader, plural: bool) -> Iterator[etree._Element]:
        tags = None if plural else ("{*}featureMember", "{*}member", "{*}Envelope")
        context = etree.iterparse(
            reader,
            events=("start-ns", "end"),
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        checked_root = False
        try:
            for event, item in context:
                if event == "start-ns":
                    self.namespaces.add(item[1])
                    continue
                element: etree._Element = item
                if not checked_root:
                    self._check_root(element)
                    checked_root = True
                tag = element.tag
                parent = element.getparent()
                if plural or tag not in _WRAPPER_TAGS:
                    # The rare cases; the usual featureMember is matched by its full tag.
                    name = local_name(element)
                    if name == "Envelope":
                        if self.envelope_srs_name is None and element.get("srsName"):
                            self.envelope_srs_name = element.get("srsName")
                        continue
                    if not plural:
                        continue
                    if parent is None or local_name(parent) not in (_PLURAL_WRAPPER, *_WRAPPERS):
                        continue
                    feature, holder = element, parent
                else:
                    # Comments and PIs are removed by the parser: the first child is the feature.
                    if not len(element):
                        continue
                    feature, holder = element[0], parent
                reader.last_feature_at = reader.bytes_read
                yield feature
                # Free what has been processed: the feature (or its wrapper) and earlier siblings.
                done = element
                done.clear(keep_tail=False)
                if holder is not None:
                    while done.getprevious() is not None:
                        del holder[0]
                self.bytes_read = reader.bytes_read
        except etree.XMLSyntaxError as exc:
            raise GmlImportError(
                f"plik jest uszkodzony lub niekompletny (ucięty?): {exc.msg}",
                path=self.path,
                line=exc.lineno,
            ) from exc
        self.bytes_read = reader.bytes_read
        root = context.root
        if not checked_root and root is not None:
            self._check_root(root)

    def _check_root(self, element: etree._Element) -> None:
        tree = element.getroottree()
        if tree.docinfo.doctype:
            raise GmlImportError(
                "plik zawiera deklarację DOCTYPE/DTD — odrzucony ze względów bezpieczeństwa",
                path=self.path,
            )
        root = tree.getroot()
        self.root_name = local_name(root)
        if self.root_name != "FeatureCollection":
            raise GmlImportError(
                f"to nie jest kolekcja obiektów GML (FeatureCollection), lecz <{self.root_name}>",
                path=self.path,
                line=root.sourceline,
            )
