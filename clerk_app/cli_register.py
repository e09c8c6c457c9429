"""``clerk-app register …`` commands (register add / list)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommands; filled in by the register capability (issue 3)."""
