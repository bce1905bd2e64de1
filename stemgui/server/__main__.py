"""``python -m stemgui.server``: see ``stemgui.server.cli``."""

import sys

from stemgui.server.cli import main

sys.exit(main())
