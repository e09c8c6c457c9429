"""Qt Linguist translations: ours from resources/translations, Qt's own qtbase_*.qm."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from clerk_app.resources_path import resource_path

log = logging.getLogger("clerk_app.ui")

_installed: list[QTranslator] = []


def install_language(app: QCoreApplication, language: str) -> None:
    """Replace the active translators; widgets retranslate on the LanguageChange event."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(
        QLocale(
            QLocale.Language.Polish if language == "pl" else QLocale.Language.English,
            QLocale.Country.Poland if language == "pl" else QLocale.Country.UnitedKingdom,
        )
    )
    if language == "en":
        return  # source strings are English
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ours = QTranslator(app)
    if ours.load(str(resource_path("translations", f"kancelaria_{language}.qm"))):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("Missing translation file kancelaria_%s.qm", language)
    qtbase = QTranslator(app)
    if qtbase.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qtbase)
        _installed.append(qtbase)
    else:
        log.info("Qt's own qtbase_%s.qm not found in %s", language, qt_dir)
