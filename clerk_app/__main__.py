import sys

from clerk_app.cli import main

sys.exit(main())
