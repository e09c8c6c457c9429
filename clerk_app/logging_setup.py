"""One rotating log file per user and data folder; faulthandler writes hard crashes there too."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TextIO

LOG_FILE = "kancelaria.log"
_fault_file: TextIO | None = None


def setup_logging(log_dir: Path, level: int = logging.INFO, console: bool = False) -> Path:
    global _fault_file
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger("clerk_app")
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s")
    )
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    if _fault_file is None:
        _fault_file = (log_dir / "crash.log").open("a", encoding="utf-8")
        faulthandler.enable(_fault_file)
    return path
