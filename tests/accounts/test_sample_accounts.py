"""The sample carries a few accounts of each role, with the published sample password."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.config import get_settings
from elevator_registry.maintenance.service import certificate_number_valid
from elevator_registry.registry.models import MaintenanceContract
from elevator_registry.sample.accounts import SAMPLE_PASSWORD, load_accounts
from elevator_registry.sample.loader import load_sample

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


def test_the_sample_has_accounts_of_each_role_and_loads_them_once(session: Session) -> None:
    report = load_sample(session, now=NOW, elevators=300)
    rows = session.execute(select(User.role, func.count()).group_by(User.role))
    roles = {row[0]: row[1] for row in rows}
    assert report.accounts == sum(roles.values())
    assert roles["bureau"] == 2 and roles["operator"] == 1 and roles["street_office"] == 1
    assert roles["maintenance_unit"] == 8 and roles["user_unit"] == 2
    workers = session.scalars(select(User).where(User.login.like("firm%.worker%"))).all()
    assert workers and all(certificate_number_valid(w.certificate_number or "") for w in workers)
    firm_ids = {worker.organisation_id for worker in workers}
    holding = set(session.scalars(select(MaintenanceContract.maintenance_unit_id)))
    assert firm_ids <= holding
    worker = accounts_service.log_in(
        session,
        login="firm1.worker1",
        password=SAMPLE_PASSWORD,
        address="127.0.0.1",
        now=NOW,
        settings=get_settings(),
    )
    assert worker.role == "maintenance_unit" and not worker.must_change_password
    assert load_sample(session, now=NOW, elevators=300).already_loaded
    assert load_accounts(session, now=NOW) == 0
