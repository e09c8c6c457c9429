from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from clerk_app.ui.i18n import install_language


@pytest.fixture
def polish(qapp: QApplication) -> Iterator[QApplication]:
    install_language(qapp, "pl")
    yield qapp
    install_language(qapp, "en")
