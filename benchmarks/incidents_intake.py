"""Intake throughput: the full POST /incidents path vs a bare one-INSERT endpoint (the ceiling).

Both run in the same app stack (FastAPI, the same SQLAlchemy engine, psycopg, the same
commit-before-answer session), under the same uvicorn, driven by wrk with the same
connections. The full path per request: rate-limit check, validation, Idempotency-Key claim,
elevator lookup, dedup check, contract lookup and dispatch, incident insert and number,
timeline events, the stored answer. Each request reports a different elevator (a new rescue).

    python benchmarks/incidents_intake.py [--seconds 10] [--rounds 3] [--connections 16] [--workers 1]
        [--database er_bench_intake]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres) and wrk (Debian package `wrk`).
"""

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from incidents_common import load_registry, machine_note, recreate_database, serve

SCRIPT = Path(__file__).resolve().parent / "incidents_wrk.lua"
RESULT = re.compile(r"RESULT (.*)")


def run_wrk(
    base: str, path: str, *, seconds: int, connections: int, first: int
) -> dict[str, float]:
    """One wrk run; its figures."""
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(SCRIPT),
            f"{base}{path}",
            "--",
            "1",
            path,
            str(first),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = RESULT.search(output)
    if match is None:
        raise RuntimeError(output)
    figures = {key: float(value) for key, value in (pair.split("=") for pair in match[1].split())}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def show(name: str, figures: dict[str, float]) -> None:
    print(
        f"{name:<34} {figures['rps']:>8.0f} req/s   p50 {figures['p50_us'] / 1000:>6.1f} ms   "
        f"p99 {figures['p99_us'] / 1000:>6.1f} ms   non-2xx {figures['non2xx']:.0f}   "
        f"socket errors {figures['socket_errors']:.0f}   ({figures['requests']:.0f} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--elevators", type=int, default=80_000)
    parser.add_argument("--database", default="er_bench_intake", help="scratch database name")
    args = parser.parse_args()
    print(machine_note())
    url = recreate_database(args.database)
    load_registry(url, elevators=args.elevators)
    print(f"registry: {args.elevators} elevators in use, each with a current contract")
    bare: list[dict[str, float]] = []
    full: list[dict[str, float]] = []
    with serve(
        url,
        workers=args.workers,
        benchmark_routes_enabled="true",
        escalation_loop_enabled="false",
    ) as base:
        wrk = {"seconds": args.seconds, "connections": args.connections}
        run_wrk(base, "/bench/bare-insert", seconds=3, connections=args.connections, first=0)
        # Alternate the two, so that load from elsewhere on the machine hits both alike.
        for round_ in range(args.rounds):
            bare.append(run_wrk(base, "/bench/bare-insert", first=0, **wrk))
            full.append(run_wrk(base, "/api/v1/incidents", first=round_ * 20_000, **wrk))
    print(
        f"uvicorn workers {args.workers}, wrk 1 thread {args.connections} connections, "
        f"{args.rounds} alternating rounds of {args.seconds} s"
    )
    for round_, (ceiling, path) in enumerate(zip(bare, full, strict=True), start=1):
        show(f"round {round_} bare one-INSERT", ceiling)
        show(f"round {round_} full intake path", path)
    median_bare = statistics.median(figures["rps"] for figures in bare)
    median_full = statistics.median(figures["rps"] for figures in full)
    print(
        f"median: ceiling {median_bare:.0f} req/s, full path {median_full:.0f} req/s, "
        f"full / ceiling {median_full / median_bare:.0%} (target ≥50%)"
    )
    if max(figures["requests"] for figures in full) >= 20_000:
        print("warning: a round sent more than 20,000 reports; some were duplicates")


if __name__ == "__main__":
    main()
