"""Regenerate the README screenshots (docs/screenshots/*.png) offscreen from demo data."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from clerk_app.config import load_settings
from clerk_app.services.app_context import open_context
from clerk_app.services.demo_data import fill_demo_data
from clerk_app.services.users import UserService
from clerk_app.ui.app import window_settings
from clerk_app.ui.hub import Hub
from clerk_app.ui.i18n import install_language
from clerk_app.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    install_language(app, "pl")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp, env={})
        ctx = open_context(settings)
        fill_demo_data(ctx.db)
        user = UserService(ctx.db).os_account_user("a.nowak", "Anna Nowak")
        window = MainWindow(
            hub=Hub(),
            window_settings=window_settings(settings),
            user_name=user.full_name,
            database=ctx.db.describe().replace(tmp, "~/.local/share/Kancelaria"),
            language="pl",
            data_dir="~/.local/share/Kancelaria",
            log_file="~/.local/share/Kancelaria/logs/kancelaria.log",
            ctx=ctx,
            user=user,
        )
        window.resize(1100, 700)
        window.show()
        for key in list(window.pages):
            window.show_page(key)
            for _ in range(20):  # let background page loads finish
                app.processEvents()
                time.sleep(0.02)
            window.grab().save(str(OUT / f"{key}.png"))
        window.close()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
