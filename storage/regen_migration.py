"""Developer tool: regenerate the initial migration from the models (before the first release).

Usage: python -m storage.regen_migration
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from storage.db import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'empty.db'}"
        command.revision(
            alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001"
        )
    generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
    generated.rename(INITIAL)
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
