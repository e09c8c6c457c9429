"""The shared loop of the GML readers: stream features, turn each into records, keep a summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from clerk_app.integrations.egib.crs import UnknownCrsError
from clerk_app.integrations.egib.errors import FeatureRejected, GmlImportError, ImportCancelled
from clerk_app.integrations.egib.geometry import (
    GeometryReader,
    PendingArea,
    ReadGeometry,
    local_name,
)
from clerk_app.integrations.egib.records import ImportSummary, RejectedFeature
from clerk_app.integrations.egib.surface_batch import SurfaceBatch
from clerk_app.integrations.egib.xml_stream import (
    MAX_FILE_BYTES,
    CancelCheck,
    FeatureStream,
    ProgressCallback,
)

BATCH_SIZE = 256


@dataclass(slots=True)
class Draft:
    """A feature whose attributes are read; ``build`` makes the record once its geometry is done.

    Geometry is finished in batches (``SurfaceBatch``) because per-feature reprojection and
    shapely calls would dominate import time. ``pending`` is the geometry read into rings, or
    None when the reader put it into the batch itself.
    """

    pending: PendingArea | None
    build: Callable[[ReadGeometry], Any]
    label: str
    line: int
    counts: bool = True


class GmlFeatureReader:
    """Shared loop: stream features, turn each into records, keep the summary."""

    def __init__(
        self,
        path: Path | str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        default_srs_name: str | None = None,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.summary = ImportSummary(path=str(self.path))
        self._stream = FeatureStream(
            self.path, progress=progress, cancel=cancel, max_bytes=max_bytes
        )
        self._geometry = GeometryReader(default_srs_name)
        self._explicit_srs = default_srs_name is not None

    def __iter__(self) -> Iterator[Any]:
        stream, summary, take = self._stream, self.summary, self._take
        queue: list[Any] = []  # records and drafts in file order
        surfaces = SurfaceBatch()  # the drafts' geometries, in the same order
        try:
            for feature in stream:
                if not self._explicit_srs and stream.envelope_srs_name:
                    self._geometry.default_srs_name = stream.envelope_srs_name
                try:
                    take(feature, queue, surfaces)
                except FeatureRejected as exc:
                    # Queued, so that rejections reach the summary in file order.
                    queue.append(
                        RejectedFeature(self._label(feature), feature.sourceline, str(exc))
                    )
                except UnknownCrsError as exc:
                    raise GmlImportError(
                        str(exc),
                        path=self.path,
                        line=feature.sourceline,
                        feature=self._label(feature),
                    ) from exc
                if len(surfaces) >= BATCH_SIZE:
                    yield from self._flush(queue, surfaces)
                    queue, surfaces = [], SurfaceBatch()
                summary.bytes_read = stream.bytes_read
            yield from self._flush(queue, surfaces)
        except ImportCancelled:
            summary.cancelled = True
            raise
        summary.bytes_read = stream.bytes_read
        summary.total_bytes = stream.total_bytes
        self._finish()

    def _take(self, feature: etree._Element, queue: list[Any], surfaces: SurfaceBatch) -> None:
        """Queue the feature's records and drafts; each draft's geometry goes into ``surfaces``.

        A ``FeatureRejected`` raised here rejects the rest of the feature. Drafts and their
        geometries are always added together, so the batch's results stay aligned with them.
        """
        for item in self._read_feature(feature):
            if isinstance(item, Draft):
                if item.pending is None:
                    raise TypeError("a draft from _read_feature must carry its geometry")
                surfaces.add_area(item.pending)
            queue.append(item)

    def _flush(self, queue: list[Any], surfaces: SurfaceBatch) -> Iterator[Any]:
        summary = self.summary
        results = iter(surfaces.finish())
        for item in queue:
            if not isinstance(item, Draft):
                if isinstance(item, RejectedFeature):
                    summary.rejected.append(item)
                else:
                    yield item
                continue
            result = next(results)
            if isinstance(result, FeatureRejected):
                summary.rejected.append(RejectedFeature(item.label, item.line, str(result)))
                continue
            if result.repaired or result.axis_swapped:
                summary.repaired += result.repaired
                summary.axis_swapped += result.axis_swapped
            summary.read += item.counts
            yield item.build(result)

    def _pending_area(self, element: etree._Element | None) -> PendingArea:
        """Find and parse the surface geometry inside a property element."""
        if element is None:
            raise FeatureRejected("brak geometrii powierzchniowej")
        return self._geometry.parse_property(element)

    def _label(self, feature: etree._Element) -> str:
        """How a rejected feature is named to the clerk: its gml:id, else its type."""
        gml_id = feature.get("{http://www.opengis.net/gml/3.2}id") or feature.get(
            "{http://www.opengis.net/gml}id"
        )
        return gml_id or local_name(feature)

    def _read_feature(self, feature: etree._Element) -> Iterator[Any]:
        """Records and ``Draft``s of one feature; raise ``FeatureRejected`` to skip it."""
        raise NotImplementedError

    def _finish(self) -> None:
        """Checks once the whole file has been read."""
