"""``clerk-app case …`` and ``clerk-app audit …`` commands."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommands; filled in by the cases capability (issue 3)."""
