"""``python -m bot`` is the same as the ``chithi`` command."""

import sys

from bot.cli import main

sys.exit(main())
