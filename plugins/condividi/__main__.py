"""``python -m condividi``: see :mod:`condividi.cli`."""

from __future__ import annotations

import sys

from condividi.cli import main

sys.exit(main())
