"""The parcel map: the parcel, its neighbours with their numbers, plan zones with their symbols,
a scale bar, coordinates under the cursor, click to identify, wheel zoom and drag to pan.

Scene coordinates are EPSG:2180 metres with the northing negated (Qt's y grows downwards), so
labels stay upright without flipping the view.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

import shapely
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from clerk_app.services.plan_zones import ParcelMap

_CLICK_SLOP_PX = 4
_ZOOM_STEP = 1.25
_MAX_SCALE = 200.0  # pixels per metre
_MIN_SCALE = 0.0005


def geometry_path(geometry: Any) -> QPainterPath:
    """A QPainterPath of a (multi)polygon in scene coordinates (northing negated)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in shapely.get_parts(geometry):
        if shapely.get_type_id(polygon) != 3:
            continue
        rings = [polygon.exterior, *polygon.interiors]
        for ring in rings:
            coords = shapely.get_coordinates(ring)
            path.addPolygon(QPolygonF([QPointF(float(x), -float(y)) for x, y in coords]))
            path.closeSubpath()
    return path


def zone_color(symbol: str) -> QColor:
    """A stable colour per zone symbol (letters only: 2MN and 3MN share a colour)."""
    letters = "".join(c for c in symbol if c.isalpha()).upper() or symbol
    digest = hashlib.sha1(letters.encode()).digest()
    color = QColor.fromHsv(digest[0] * 360 // 256, 110, 235)
    color.setAlpha(110)
    return color


class ParcelMapView(QGraphicsView):
    """Draws a :class:`ParcelMap`; emits ``identify(x, y)`` on a click, in EPSG:2180."""

    identify = Signal(float, float)
    cursor_moved = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        self._scene = QGraphicsScene()
        super().__init__(self._scene, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setBackgroundBrush(QColor("#f7f7f2"))
        self.setMinimumSize(320, 240)
        self._press_at: QPoint | None = None
        self._focus = QRectF()
        self.parcel_item: QGraphicsPathItem | None = None
        self.neighbour_items: dict[str, QGraphicsPathItem] = {}
        self.zone_items: list[QGraphicsPathItem] = []
        self.labels: list[QGraphicsSimpleTextItem] = []

    # -- content -------------------------------------------------------------------------

    def clear_map(self) -> None:
        self._scene.clear()
        self.parcel_item = None
        self.neighbour_items = {}
        self.zone_items = []
        self.labels = []
        self._focus = QRectF()

    def show_map(self, data: ParcelMap) -> None:
        self.clear_map()
        for zone in data.zones:
            geometry = shapely.from_wkb(zone.geometry_wkb)
            item = self._scene.addPath(
                geometry_path(geometry),
                self._pen("#8a6d3b", 1.2, Qt.PenStyle.DashLine),
                QBrush(zone_color(zone.symbol)),
            )
            item.setZValue(0)
            item.setToolTip(f"{zone.symbol} {zone.designation}".strip())
            self.zone_items.append(item)
            self._label(shapely.point_on_surface(geometry), zone.symbol, "#6b4e16", bold=True, z=4)
        for shape in data.neighbours:
            geometry = shapely.from_wkb(shape.geometry_wkb)
            item = self._scene.addPath(
                geometry_path(geometry), self._pen("#555555", 1.0), QBrush(Qt.BrushStyle.NoBrush)
            )
            item.setZValue(1)
            item.setData(0, shape.parcel_id)
            self.neighbour_items[shape.parcel_id] = item
            self._label(shapely.point_on_surface(geometry), shape.number, "#333333", z=3)
        geometry = shapely.from_wkb(data.details.geometry_wkb)
        fill = QColor("#ffd54f")
        fill.setAlpha(150)
        self.parcel_item = self._scene.addPath(
            geometry_path(geometry), self._pen("#c62828", 2.5), QBrush(fill)
        )
        self.parcel_item.setZValue(2)
        self.parcel_item.setData(0, data.details.parcel_id)
        self._label(
            shapely.point_on_surface(geometry),
            data.details.summary.number,
            "#b71c1c",
            bold=True,
            z=5,
        )
        minx, miny, maxx, maxy = data.details.bbox
        pad = max(maxx - minx, maxy - miny, 20.0) * 0.5
        self._focus = QRectF(
            minx - pad, -(maxy + pad), (maxx - minx) + 2 * pad, (maxy - miny) + 2 * pad
        )
        ex = data.extent
        self._scene.setSceneRect(QRectF(ex[0], -ex[3], ex[2] - ex[0], ex[3] - ex[1]))
        self.fit_parcel()

    def fit_parcel(self) -> None:
        if not self._focus.isNull():
            self.fitInView(self._focus, Qt.AspectRatioMode.KeepAspectRatio)
            self.viewport().update()

    def _pen(self, color: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(QColor(color), width, style)
        pen.setCosmetic(True)  # width in pixels whatever the zoom
        return pen

    def _label(self, point: Any, text: str, color: str, *, bold: bool = False, z: float) -> None:
        item = self._scene.addSimpleText(text)
        font = QFont(item.font())
        font.setBold(bold)
        item.setFont(font)
        item.setBrush(QBrush(QColor(color)))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        bounds = item.boundingRect()
        item.setPos(float(point.x), -float(point.y))
        # Centre the text on the point (in pixels, since the item ignores the view's scale).
        item.setTransformOriginPoint(bounds.center())
        item.setTransform(item.transform().translate(-bounds.width() / 2, -bounds.height() / 2))
        item.setZValue(z)
        self.labels.append(item)

    # -- coordinates ---------------------------------------------------------------------

    def to_map(self, pos: QPoint) -> tuple[float, float]:
        scene = self.mapToScene(pos)
        return scene.x(), -scene.y()

    def from_map(self, x: float, y: float) -> QPoint:
        return self.mapFromScene(QPointF(x, -y))

    def metres_per_pixel(self) -> float:
        scale = self.transform().m11()
        return 1.0 / scale if scale else 0.0

    # -- interaction ---------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if not steps:
            return
        factor = _ZOOM_STEP**steps
        scale = self.transform().m11() * factor
        if _MIN_SCALE <= scale <= _MAX_SCALE:
            self.scale(factor, factor)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_at = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self._press_at is None:
            return
        moved = (event.position().toPoint() - self._press_at).manhattanLength()
        self._press_at = None
        if moved <= _CLICK_SLOP_PX:
            x, y = self.to_map(event.position().toPoint())
            self.identify.emit(x, y)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        x, y = self.to_map(event.position().toPoint())
        self.cursor_moved.emit(x, y)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_parcel()

    # -- scale bar -----------------------------------------------------------------------

    def scale_bar(self, target_px: float = 120.0) -> tuple[float, float]:
        """(length in metres, length in pixels) of a round scale bar near ``target_px``."""
        mpp = self.metres_per_pixel()
        if mpp <= 0:
            return 0.0, 0.0
        raw = target_px * mpp
        magnitude = 10 ** math.floor(math.log10(raw))
        metres = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= raw) if raw >= 1e-9 else 0
        return float(metres), float(metres / mpp)

    def drawForeground(self, painter: QPainter, rect: QRectF | Any) -> None:
        super().drawForeground(painter, rect)
        metres, pixels = self.scale_bar()
        if pixels <= 0:
            return
        painter.save()
        painter.resetTransform()
        left, bottom = 12.0, float(self.viewport().height() - 14)
        pen = QPen(QColor("#222222"), 2)
        painter.setPen(pen)
        painter.drawLine(QPointF(left, bottom), QPointF(left + pixels, bottom))
        for x in (left, left + pixels):
            painter.drawLine(QPointF(x, bottom - 5), QPointF(x, bottom + 1))
        label = f"{metres:g} m" if metres < 1000 else f"{metres / 1000:g} km"
        painter.drawText(QPointF(left + 4, bottom - 6), label)
        painter.restore()


def labels_text(view: ParcelMapView) -> Sequence[str]:
    """The texts drawn on the map (for tests and the PDF legend)."""
    return [item.text() for item in view.labels]
