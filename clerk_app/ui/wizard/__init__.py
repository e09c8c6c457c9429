"""First-run wizard. This package is light: the Qt wizard itself loads only on a first run.

Start-up (``clerk_app.ui.app.run_gui``) calls, once a QApplication and the
translators exist and before the database is opened::

    from clerk_app.ui.wizard import needs_first_run
    if needs_first_run(settings):
        from clerk_app.ui.wizard import run_first_run_wizard
        settings = run_first_run_wizard(settings)
        if settings is None:
            return 1  # the user closed the wizard; nothing was saved
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from clerk_app.config import Settings


def needs_first_run(settings: Settings) -> bool:
    """A new default installation: no settings file, no embedded database, no database flag."""
    from clerk_app.services.setup_office import is_first_run

    return is_first_run(settings)


def run_first_run_wizard(settings: Settings, parent: QWidget | None = None) -> Settings | None:
    """Show the wizard modally; the settings as now saved, or None when it was cancelled."""
    from clerk_app.config import load_settings
    from clerk_app.ui.wizard.wizard import FirstRunWizard

    wizard = FirstRunWizard(settings.data_dir, settings.language, parent)
    if wizard.exec() != FirstRunWizard.DialogCode.Accepted or wizard.result_info is None:
        return None
    language_flag = settings.language if settings.sources.get("language") == "flag" else None
    return load_settings(data_dir=settings.data_dir, language=language_flag)
