"""Imports every ORM module so `Base.metadata` holds the whole schema (Alembic, tests)."""

from elevator_registry import jobs as job_models
from elevator_registry.accounts import models as account_models
from elevator_registry.audit import models as audit_models
from elevator_registry.auth import models as auth_models
from elevator_registry.db import Base
from elevator_registry.governance import models as governance_models
from elevator_registry.incidents import models as incident_models
from elevator_registry.inspection import models as inspection_models
from elevator_registry.kpi import models as kpi_models
from elevator_registry.maintenance import models as maintenance_models
from elevator_registry.notifications import models as notification_models
from elevator_registry.registry import models as registry_models
from elevator_registry.rules import models as rule_models
from elevator_registry.visits import models as visit_models

__all__ = [
    "Base",
    "account_models",
    "audit_models",
    "auth_models",
    "governance_models",
    "incident_models",
    "inspection_models",
    "job_models",
    "kpi_models",
    "maintenance_models",
    "notification_models",
    "registry_models",
    "rule_models",
    "visit_models",
]
