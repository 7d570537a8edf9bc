"""Times loading the sample's evidence (issue 3 item 8): `python benchmarks/sample_evidence.py [URL]`.

Migrates a fresh database (a temporary SQLite file by default, or the empty database at URL),
loads the base sample with the evidence step switched off, then runs `generate_evidence` on its
own, and prints the seconds and rows of each. Run from the repository root.
"""

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from elevator_registry.config import get_settings
from elevator_registry.db import make_engine
from elevator_registry.sample import loader
from elevator_registry.sample.evidence import generate_evidence
from elevator_registry.sample.generator import DEFAULT_SEED, SAMPLE_REFERENCE_DATE

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(get_settings().alembic_dir))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with Session(engine) as session, session.begin():
            started = time.perf_counter()
            with mock.patch.object(loader, "generate_evidence", lambda *_a, **_k: None):
                base = loader.load_sample(session, now=NOW)
            base_seconds = time.perf_counter() - started
            started = time.perf_counter()
            report = generate_evidence(
                session, now=NOW, reference_date=SAMPLE_REFERENCE_DATE, seed=DEFAULT_SEED
            )
            evidence_seconds = time.perf_counter() - started
        engine.dispose()
    rows = sum(getattr(report, name) for name in report.__dataclass_fields__)
    print(f"database: {engine.dialect.name}")
    print(f"base sample (without evidence): {base_seconds:.1f} s  ({base.elevators} elevators)")
    print(f"evidence: {evidence_seconds:.1f} s, {rows} rows, {rows / evidence_seconds:,.0f} rows/s")
    print(report.summary())


if __name__ == "__main__":
    main()
