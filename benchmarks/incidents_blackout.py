"""Blackout burst: 5,000 trapped reports for distinct elevators within 60 s, plus 50% duplicates.

An open-loop load (requests leave on a fixed schedule whether or not earlier ones were
answered, so a slow server cannot slow the load down and hide its own latency): 7,500 POST
/incidents spread evenly over 60 s (125/s), each from its own client address (X-Forwarded-For;
the per-client rate limit stays on, as in production, and must not stop any of them). 5,000 are
first reports of distinct elevators; 2,500 are second reports of some of those elevators by
other residents 0-30 s later. Half the reports carry an Idempotency-Key. Latency is measured
from each request's scheduled start.

Dispatch to webhook: every maintenance unit has a webhook subscription pointing at a receiver
on 127.0.0.1 in this process, and a delivery loop (`notifications.delivery.deliver_due` every
`--outbox-interval` seconds, in a thread of this process, as `serve` runs it) sends the outbox
during the burst. The receiver checks each signature and records when it arrived; the latency
is arrival minus the incident's dispatch time (its `reported_at`: dispatch happens at intake).

    python benchmarks/incidents_blackout.py [--elevators 5000] [--seconds 60] [--workers 1]
        [--connections 64] [--database er_bench_blackout] [--outbox-interval 0.5] [--no-webhooks]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres).
"""

import argparse
import http.client
import json
import queue
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incidents_common import (
    load_registry,
    machine_note,
    psycopg_url,
    recreate_database,
    rescue_code,
    serve,
)

from elevator_registry.config import Settings
from elevator_registry.db import make_engine
from elevator_registry.notifications import delivery, signing

SECRET = "whsec_benchmark_blackout_0123456789"


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, dict[str, float], list[str]]]:
    """A local receiver: its URL, {incident number: seconds from dispatch to arrival}, and
    the signature failures it saw."""
    latencies: dict[str, float] = {}
    failures: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                signing.verify_signature(SECRET, dict(self.headers.items()), body)
                data = json.loads(body)["data"]
                dispatched = datetime.fromisoformat(data["reported_at"]).timestamp()
                latencies.setdefault(data["number"], arrived - dispatched)
            except Exception as error:  # counted, not fatal: the figure says how many
                failures.append(str(error))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", latencies, failures
    finally:
        server.shutdown()


def subscribe_every_unit(url: str, hook: str) -> int:
    """A webhook subscription for every maintenance unit; how many."""
    with psycopg.connect(psycopg_url(url)) as connection:
        return connection.execute(
            "INSERT INTO notification_subscription "
            "(organisation_id, channel, target, secret, active, created_by, created_at) "
            "SELECT organisation_id, 'webhook', %s, %s, true, 'benchmark', now() "
            "FROM organisation_role WHERE role = 'maintainer'",
            (hook, SECRET),
        ).rowcount


@contextmanager
def delivery_loop(url: str, interval: float) -> Iterator[None]:
    """The outbox delivery job every `interval` s in a thread, exactly as `serve` runs it."""
    engine = make_engine(url)
    settings = Settings(database_url=url, outbox_interval_seconds=interval)
    job = delivery.delivery_job(engine, settings, now=lambda: datetime.now(UTC))
    try:
        yield
    finally:
        job.stop(timeout=30)
        engine.dispose()


def schedule(elevators: int, seconds: float, seed: int = 96333) -> list[tuple[float, int, bool]]:
    """(start offset, elevator index, with key) for every request, in start order."""
    rng = random.Random(seed)
    firsts = list(range(elevators))
    rng.shuffle(firsts)
    total = elevators + elevators // 2
    spacing = seconds / total
    plan = [(index * spacing, elevator) for index, elevator in enumerate(firsts)]
    first_at = {elevator: at for at, elevator in plan}
    for elevator in rng.sample(firsts, elevators // 2):
        plan.append((min(seconds, first_at[elevator] + rng.uniform(0, 30)), elevator))
    plan.sort()
    # Re-space evenly so the offered rate is flat: the order is what the story decides.
    return [
        (index * spacing, elevator, rng.random() < 0.5) for index, (_, elevator) in enumerate(plan)
    ]


def burst(
    base: str, plan: list[tuple[float, int, bool]], threads: int
) -> list[tuple[int | str, float]]:
    """Sends the plan open-loop from `threads` keep-alive connections; (status, latency) each.

    Requests are queued at their scheduled time; a request waiting for a free connection keeps
    counting its latency from its scheduled start, so queueing shows in the figures.
    """
    host, port = base.removeprefix("http://").split(":")
    jobs: queue.Queue[tuple[int, float, int, bool] | None] = queue.Queue()
    results: list[tuple[int | str, float]] = [("not sent", 0.0)] * len(plan)
    start = time.perf_counter() + 1.0

    def worker() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while (job := jobs.get()) is not None:
            index, offset, elevator, keyed = job
            headers = {
                "Content-Type": "application/json",
                "X-Forwarded-For": (
                    f"10.{elevator // 65536 % 256}.{elevator // 256 % 256}.{elevator % 256}"
                    if keyed
                    else f"172.16.{elevator // 256 % 256}.{elevator % 256}"
                ),
            }
            if keyed:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            body = json.dumps(
                {
                    "rescue_code": rescue_code(elevator),
                    "kind": "trapped",
                    "caller_phone": "13800000000",
                }
            )
            try:
                connection.request("POST", "/api/v1/incidents", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
            results[index] = (status, time.perf_counter() - (start + offset))
        connection.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for index, (offset, elevator, keyed) in enumerate(plan):
        time.sleep(max(0.0, start + offset - time.perf_counter()))
        jobs.put((index, offset, elevator, keyed))
    for _ in pool:
        jobs.put(None)
    for thread in pool:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--database", default="er_bench_blackout", help="scratch database name")
    parser.add_argument("--outbox-interval", type=float, default=0.5)
    parser.add_argument("--no-webhooks", action="store_true", help="no subscriptions, no loop")
    args = parser.parse_args()
    print(machine_note())
    url = recreate_database(args.database)
    load_registry(url, elevators=args.elevators * 2)
    plan = schedule(args.elevators, args.seconds)
    distinct = len({elevator for _, elevator, _ in plan})
    print(
        f"offered: {len(plan)} reports in {args.seconds:.0f} s ({len(plan) / args.seconds:.0f}/s) "
        f"for {distinct} distinct elevators; uvicorn workers {args.workers}; rate limit on; "
        f"client: {args.connections} keep-alive connections"
    )
    with webhook_receiver() as (hook, webhook_latencies, signature_failures):
        if not args.no_webhooks:
            print(f"webhook subscriptions: {subscribe_every_unit(url, hook)} units → {hook}")
        with (
            serve(url, workers=args.workers, escalation_loop_enabled="false") as base,
            delivery_loop(url, args.outbox_interval) if not args.no_webhooks else _nothing(),
        ):
            results = burst(base, plan, args.connections)
            # Let the loop drain what the burst left queued (at most 60 s).
            drain_until = time.monotonic() + 60
            while (
                not args.no_webhooks
                and len(webhook_latencies) < _dispatched(url)
                and time.monotonic() < drain_until
            ):
                time.sleep(0.5)
    statuses = Counter(status for status, _ in results)
    latencies = sorted(seconds for _, seconds in results)
    answered = statuses[201] + statuses[200]
    with psycopg.connect(psycopg_url(url)) as connection:
        incidents, elevators_with_incident = connection.execute(
            "SELECT count(*), count(DISTINCT elevator_id) FROM incident"
        ).fetchone()
        dispatches = connection.execute(
            "SELECT count(*) FROM incident_event WHERE kind = 'dispatched'"
        ).fetchone()[0]
        reports = connection.execute("SELECT count(*) FROM incident_report").fetchone()[0]
    print(f"statuses: {dict(sorted(statuses.items(), key=str))}")
    print(f"answered 201/200: {answered}/{len(plan)} = {answered / len(plan):.3%} (target ≥99.9%)")
    print(
        f"incidents {incidents} for {elevators_with_incident} elevators (distinct reported "
        f"{distinct}); lost: {distinct - elevators_with_incident}; dispatches {dispatches}; "
        f"duplicate reports recorded {reports}"
    )
    print(
        f"latency from scheduled start: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms (target p99 < 1 s)"
    )
    if not args.no_webhooks:
        webhook = sorted(webhook_latencies.values())
        print(
            f"dispatch to webhook: {len(webhook)} incidents received signed "
            f"(signature failures {len(signature_failures)}); "
            + (
                f"p50 {statistics.median(webhook) * 1000:.0f} ms, "
                f"p99 {webhook[max(int(len(webhook) * 0.99) - 1, 0)] * 1000:.0f} ms, "
                f"max {webhook[-1] * 1000:.0f} ms (target: within 2 s)"
                if webhook
                else "none received"
            )
        )


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _dispatched(url: str) -> int:
    with psycopg.connect(psycopg_url(url)) as connection:
        return connection.execute(
            "SELECT count(*) FROM outbox_message WHERE channel = 'webhook'"
        ).fetchone()[0]


if __name__ == "__main__":
    main()
