"""Entry point of the frozen bundle: the same ``clerk-app`` command as the installed package."""

import multiprocessing
import sys

from clerk_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
