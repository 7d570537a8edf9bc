"""Periodic jobs that run once per tick across every process: `run_periodic(name, interval, fn)`.

`serve --workers 3`, or two instances on one database, start every background loop (escalation,
risk refresh, …) in every process. Each tick is claimed first: one `job_lease` row per job holds
the time the job is next due, and claiming is a compare-and-set on it,

    UPDATE job_lease SET due_at = now + interval, … WHERE name = :name AND due_at <= now

committed before the job runs. Two processes claiming together cannot both win: PostgreSQL
re-checks the WHERE of the second UPDATE once the first commits (and finds the row no longer
due); SQLite serialises writers. So the job runs once per interval whichever process ticks
first, no lock is held while it runs (a long risk refresh blocks nobody), the row shows who ran
it last and how often (`holder`, `last_started_at`, `runs`), and the same code works on both
databases. A tick whose job fails is not retried before the next one, like the loops before.

The lease is read against each process's wall clock: instances on several hosts need their
clocks in sync (NTP); a skew of a second or two only shifts which process wins a tick.
"""

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Integer, String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, UTCDateTime

log = structlog.get_logger("elevator_registry.jobs")

# How often a process looks whether a job is due: a job due every day is still looked at every
# few seconds, so the process that claims it is whichever looks first after it falls due.
LONGEST_POLL_SECONDS = 5.0


class JobLease(Base):
    """When a periodic job is next due, and who ran it last: one row per job name."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    holder: Mapped[str | None] = mapped_column(String(120))
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column(Integer, default=0)


def holder_name() -> str:
    """This process, as the lease records it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(engine: Engine, *, name: str, interval_seconds: float, now: datetime) -> bool:
    """Claims the current tick of job `name` (committed); False when another process has it."""
    table = JobLease.__table__
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    with engine.connect() as connection:
        due_at = connection.execute(select(table.c.due_at).where(table.c.name == name)).scalar()
    # Not due: no write at all, so a job looked at every few seconds commits only when it runs
    # (on SQLite every commit can stale another connection's read snapshot).
    if due_at is not None and due_at > now:
        return False
    with engine.begin() as connection:
        # The first claim ever creates the row, due at once; later ones leave it as it is.
        connection.execute(
            dialect.insert(table)
            .values(name=name, due_at=now, runs=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        claimed = connection.execute(
            update(table)
            .where(table.c.name == name, table.c.due_at <= now)
            .values(
                due_at=now + timedelta(seconds=interval_seconds),
                holder=holder_name(),
                last_started_at=now,
                runs=table.c.runs + 1,
            )
            .returning(table.c.name)
        ).first()
    return claimed is not None


@dataclass
class PeriodicJob:
    """A running job loop; `stop()` ends it after the pass under way."""

    name: str
    thread: threading.Thread
    stop_event: threading.Event = field(default_factory=threading.Event)

    def stop(self, timeout: float = 5.0) -> None:
        """Asks the loop to end and waits for it (at most `timeout` seconds)."""
        self.stop_event.set()
        self.thread.join(timeout)


def run_periodic(
    name: str,
    interval_seconds: float,
    fn: Callable[[], Any],
    *,
    engine: Engine,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    wanted: Callable[[], bool] | None = None,
    backlog: Callable[[Any], bool] | None = None,
) -> PeriodicJob:
    """Runs `fn` every `interval_seconds`, once per tick across all processes sharing `engine`'s
    database, in a daemon thread of this process; the loop survives errors in `fn`. A result
    other than None is logged.

    `wanted`, a read-only probe, lets a frequent job skip its tick (and the lease's commit)
    when it has nothing to do: on SQLite every commit can stale another request's snapshot.
    `backlog`, true for a result that left work behind (a full batch), makes the loop claim the
    next tick as soon as the lease allows instead of sleeping a poll first: in a burst the
    job then keeps up with what arrives, still at most once per interval across processes.
    """
    poll = min(interval_seconds, LONGEST_POLL_SECONDS)
    stop_event = threading.Event()

    def loop() -> None:
        while True:
            behind = False
            try:
                if (wanted is None or wanted()) and claim(
                    engine, name=name, interval_seconds=interval_seconds, now=clock()
                ):
                    result = fn()
                    if result is not None:
                        log.info("job_pass", job=name, result=str(result))
                    behind = backlog is not None and backlog(result)
            except Exception as error:  # a database outage must not end the loop
                log.error("job_failed", job=name, error=str(error).splitlines()[0])
            if stop_event.wait(0 if behind else poll):
                return

    thread = threading.Thread(target=loop, name=f"job-{name}", daemon=True)
    job = PeriodicJob(name=name, thread=thread, stop_event=stop_event)
    thread.start()
    return job


def lease_of(engine: Engine, name: str) -> dict[str, Any] | None:
    """The lease row of job `name` (None before its first claim), for tests and operators."""
    table = JobLease.__table__
    with engine.connect() as connection:
        row = connection.execute(table.select().where(table.c.name == name)).mappings().first()
    return dict(row) if row else None
