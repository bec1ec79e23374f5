"""Where things are: the repository, the bundled sample data, the test PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "bot" / "sample_data"
PG_ADMIN_DSN = os.environ.get("CHITHI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
