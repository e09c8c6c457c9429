"""The "Parcels" page of the main window: the parcel lookup widget under a heading."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from clerk_app.integrations.uldk import UldkClient
from clerk_app.services.parcel_store import ParcelStore
from clerk_app.services.users import CurrentUser
from clerk_app.ui.parcels.lookup_widget import ParcelLookupWidget


class ParcelsPage(QWidget):
    """``ParcelsPage(store, user, uldk_factory=...)``.

    ``store`` is ``ParcelStore(ctx.db, office_unit=office_commune(ctx.db))``;
    ``uldk_factory`` makes the ULDK client on first "check online" (None hides the online path).
    """

    def __init__(
        self,
        store: ParcelStore,
        user: CurrentUser,
        *,
        uldk_factory: Callable[[], UldkClient] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.lookup = ParcelLookupWidget(store, user, uldk_factory=uldk_factory)
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addWidget(self.lookup, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self._heading.setText(self.tr("Parcels"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def shutdown(self) -> None:
        self.lookup.close_client()
