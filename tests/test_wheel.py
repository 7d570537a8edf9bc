"""The wheel carries the Alembic environment and versions: built, installed into a fresh venv and
run from another folder, `elevator-registry db upgrade` migrates a blank SQLite database.

Slow for a unit test (a build and an install, about half a minute), so marked `wheel` (run by
default and in CI; `-m "not wheel"` skips it while developing).
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What the build reads; copied so the build leaves nothing (build/, *.egg-info) in the checkout.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "elevator_registry", "alembic")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs `command`, failing the test with its output when it fails."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def latest_revision() -> str:
    """The head revision id, read from the source's version files (one linear chain)."""
    versions = REPO / "alembic" / "versions"
    if not versions.is_dir():
        versions = REPO / "elevator_registry" / "migrations" / "versions"
    revisions, parents = set(), set()
    for path in versions.glob("*.py"):
        namespace: dict[str, object] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("revision:", "down_revision:")):
                exec(line, namespace)
        revisions.add(namespace["revision"])
        parents.add(namespace.get("down_revision"))
    (head,) = revisions - parents
    return str(head)


@pytest.mark.wheel
def test_the_installed_wheel_migrates_a_blank_database_from_any_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif origin.exists():
            shutil.copy2(origin, source / name)
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        wheels,
        source,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("elevator_registry-*.whl")
    # The fresh venv sees the system's packages (no downloads) but gets its own copy of ours.
    # Without PYTHONPATH (CI points it at the checkout): pip would take the checkout's
    # egg-info for an installed copy and install nothing.
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONPATH" and not key.startswith("ELEVATOR_REGISTRY_")
    }
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = elsewhere / "blank.sqlite3"
    env["ELEVATOR_REGISTRY_DATABASE_URL"] = f"sqlite:///{database}"
    imported = run(
        python,
        "-c",
        "import elevator_registry; print(elevator_registry.__file__)",
        cwd=elsewhere,
        env=env,
    )
    assert Path(imported.strip()).is_relative_to(venv), imported
    run(venv / "bin" / "elevator-registry", "db", "upgrade", cwd=elsewhere, env=env)

    with sqlite3.connect(database) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert version == latest_revision()
    assert {"elevator", "elevator_status_change", "risk_snapshot"} <= tables
