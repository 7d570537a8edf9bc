"""`elevator-registry import`: committed writes, exit codes, --partial and --as."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from elevator_registry.cli import app
from elevator_registry.clock import FixedClock
from elevator_registry.db import get_sessionmaker
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.models import Elevator, Organisation
from tests import factories
from tests.conftest import NOW
from tests.imports import files

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def registry(scratch_database: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A migrated scratch database with the test world committed; the CLI's clock is fixed."""
    monkeypatch.setattr("elevator_registry.clock.get_clock", lambda: FixedClock(at=NOW))
    assert invoke("db", "upgrade")[0] == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        return {
            "lift_a": world.lift_a.equipment_code,
            "lift_b": world.lift_b.equipment_code,
            "maintainer_a": world.maintainer_a.credit_code,
            "user_a": world.user_a.credit_code,
        }


def count(model: type) -> int:
    with get_sessionmaker()() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


class Lift:
    """Just what `files.record_row` reads."""

    def __init__(self, equipment_code: str) -> None:
        self.equipment_code = equipment_code


def ledger(
    tmp_path: Path, registry: dict[str, str], *lifts: str, name: str = "维保台账.csv"
) -> Path:
    path = tmp_path / name
    rows = [files.record_row(Lift(registry[lift]), 3 + index) for index, lift in enumerate(lifts)]  # type: ignore[arg-type]
    path.write_bytes(files.csv_bytes(files.RECORD_HEADER, rows, encoding="gbk"))
    return path


def test_the_cli_imports_and_commits_then_skips_on_a_second_run(
    registry: dict[str, str], tmp_path: Path
) -> None:
    path = ledger(tmp_path, registry, "lift_a", "lift_b")
    code, stdout, _ = invoke("import", "maintenance-records", str(path))
    assert code == 0
    assert "2 rows read (csv, gb18030), 2 written, 0 already present, 0 failed; written" in stdout
    assert count(MaintenanceRecord) == 2
    code, stdout, _ = invoke("import", "maintenance-records", str(path))
    assert code == 0
    assert "0 written, 2 already present" in stdout
    assert count(MaintenanceRecord) == 2


def test_acting_as_a_unit_scopes_the_rows_and_all_or_nothing_writes_nothing(
    registry: dict[str, str], tmp_path: Path
) -> None:
    path = ledger(tmp_path, registry, "lift_a", "lift_b")
    code, stdout, _ = invoke(
        "import", "maintenance-records", str(path), "--as", registry["maintainer_a"]
    )
    assert code == 1
    # A person reads the report: the Chinese message, after the code a program may grep for.
    assert (
        f"row 3\tequipment_code\tELEVATOR_NOT_FOUND\t"
        f"没有设备代码（equipment_code）为“{registry['lift_b']}”的电梯\n"
    ) in stdout
    assert "no elevator with" not in stdout
    assert "NOTHING WRITTEN" in stdout
    assert count(MaintenanceRecord) == 0
    code, stdout, _ = invoke(
        "import", "maintenance-records", str(path), "--as", registry["maintainer_a"], "--partial"
    )
    assert code == 1
    assert "1 written" in stdout
    with get_sessionmaker()() as session:
        written = session.scalars(select(MaintenanceRecord)).one()
        lift = session.get(Elevator, written.elevator_id)
    assert lift is not None and lift.equipment_code == registry["lift_a"]
    assert written.filed_by == f"cli as {registry['maintainer_a']}"


@pytest.mark.parametrize(
    ("args", "code", "message_zh"),
    [
        (
            ("organisations", "--as", "{maintainer_a}"),
            "OPTION_INVALID",
            "--as 只适用于 maintenance-records（维保记录）和 inspections（检验）；"
            "organisations 由监管局自己导入，不加 --as",
        ),
        (
            ("maintenance-records", "--as", "{user_a}"),
            "ORGANISATION_ROLE_MISSING",
            "--as {user_a}（綦江古南物业管理有限公司）不是维保单位",
        ),
        (
            ("maintenance-records", "--as", "91500222MA5U4LXB1X"),
            "CREDIT_CODE_INVALID",
            "导入单位不是有效的统一社会信用代码（GB 32100-2015）",
        ),
    ],
)
def test_refused_options_exit_2_and_write_nothing(
    registry: dict[str, str], tmp_path: Path, args: tuple[str, ...], code: str, message_zh: str
) -> None:
    path = ledger(tmp_path, registry, "lift_a")
    kind, *options = (arg.format(**registry) for arg in args)
    exit_code, stdout, stderr = invoke("import", kind, str(path), *options)
    assert (exit_code, stderr, stdout) == (2, f"{code}: {message_zh.format(**registry)}\n", "")
    assert count(MaintenanceRecord) == 0


def test_a_refused_file_exits_2_naming_the_reason(registry: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "机构.csv"
    path.write_bytes("统一社会信用代码,名称,角色\r\n".encode() + b"\x81\xff\xfe,\x80,\x80\r\n")
    before = count(Organisation)
    exit_code, _stdout, stderr = invoke("import", "organisations", str(path))
    assert exit_code == 2
    assert stderr.startswith("IMPORT_ENCODING_INVALID: 文件编码既不是 UTF-8 也不是 GB18030/GBK")
    assert count(Organisation) == before


def test_an_xlsx_of_organisations_from_the_template(
    registry: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "organisations.xlsx"
    new_code = factories.credit_code()
    path.write_bytes(
        files.xlsx_bytes(
            ["统一社会信用代码", "名称", "角色"], [[new_code, "綦江新维保公司", "维保单位"]]
        )
    )
    exit_code, stdout, _ = invoke("import", "organisations", str(path))
    assert exit_code == 0, stdout
    assert "1 rows read (xlsx), 1 written" in stdout
    with get_sessionmaker()() as session:
        assert session.scalar(select(Organisation.name).where(Organisation.credit_code == new_code))
