"""Runtime settings: one `Settings` object read from `ELEVATOR_REGISTRY_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Operator-tunable settings; defaults are the plan's numbers or a documented inference."""

    model_config = SettingsConfigDict(
        env_prefix="ELEVATOR_REGISTRY_", env_file=".env", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///elevator_registry.sqlite3",
        description="SQLAlchemy URL; `postgresql+psycopg://user@host/db` for production.",
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="Local time zone that decides what 'today' is."
    )
    alembic_dir: Path = Field(
        default=Path(__file__).resolve().parent.parent / "alembic",
        description="Folder holding the Alembic environment and versions.",
    )
    rescue_code_pattern: str = Field(
        default=r"^\d{6}$",
        description="96333 识别码 format; no national format exists (domain-rules F5).",
    )
    warranty_renovation_whole_unit_years: int = Field(
        default=5, description="Plan §三(七)1: subsidised renovation, whole-unit warranty minimum."
    )
    warranty_maker_major_parts_years: int = Field(
        default=10,
        description="Plan §三(七)1: new elevator maintained by its maker, five major parts minimum.",
    )
    suspended_restart_days: int = Field(
        default=365,
        description="TSG T7001-2023 / TSG 08-2017: out of use this long needs inspection.",
    )
    licence_ban_years: int = Field(
        default=3,
        description="Plan §三(十一): no new licence within this many years of revocation.",
    )
    aging_years: int = Field(
        default=15,
        description="Plan §二: residential (and other) elevators assessed from this age.",
    )
    aging_public_place_years: int = Field(
        default=10,
        description="Chongqing practice: public gathering places assessed from this age.",
    )
    assessment_high_risk_grade: int = Field(
        default=3, description="GB/T 42615 risk grade (1-4) from which ASSESSMENT_HIGH_RISK lists."
    )
    maintenance_interval_days: int = Field(
        default=15,
        description="安全监察条例 第31条: at most this many days between maintenance visits.",
    )
    maintenance_quarter_days: int = Field(default=92, description="TSG T5002 quarter class window.")
    maintenance_half_year_days: int = Field(default=183, description="TSG T5002 half-year window.")
    maintenance_year_days: int = Field(default=366, description="TSG T5002 year class window.")
    record_confirmation_days: int = Field(
        default=7, description="TSG T5002 第7条: user-unit confirmation expected within these days."
    )
    record_confirmation_lookback_days: int = Field(
        default=365, description="RECORD_UNCONFIRMED looks at records of this many past days."
    )
    high_fault_incidents: int = Field(
        default=3,
        description="Plan §三(七)3: trapped/fault incidents in 12 months that flag a lift.",
    )
    registration_grace_days: int = Field(
        default=30, description="安全法 第33条: days in use allowed before use registration."
    )
    usage_check_public_days: int = Field(
        default=7,
        description="User-unit check interval in public gathering places (plan §三(七)3).",
    )
    usage_check_days: int = Field(
        default=31, description="安全监察条例 第27条: user-unit check at least monthly elsewhere."
    )
    rescue_drill_days: int = Field(
        default=183, description="TSG T5002: a rescue drill at least every 6 months."
    )
    inspection_due_soon_days: int = Field(
        default=30, description="安全法 第40条: apply for inspection a month before it is due."
    )
    severity_weights: dict[str, int] = Field(
        default={"critical": 40, "high": 20, "medium": 10, "low": 3},
        description="Risk-list score: the sum of these weights over an elevator's findings.",
    )
    inspection_regime: Literal["t7001_2023", "yearly"] = Field(
        default="t7001_2023",
        description="Periodic-inspection schedule: `t7001_2023` (TSG T7001-2023 §4.1: inspections "
        "in years 1,4,7,9,11,13,15 and yearly after 15, self-tests in the other years) or "
        "`yearly` (TSG T7001-2009 一年一检). See elevator_registry.inspection.schedule.",
    )
    log_json: bool = Field(default=False, description="Render logs as JSON lines (production).")
    import_max_upload_bytes: int = Field(
        default=100 * 1024 * 1024,
        description="Largest request body `POST /imports/{kind}` accepts (413 IMPORT_TOO_LARGE).",
    )
    import_max_unpacked_bytes: int = Field(
        default=1024 * 1024 * 1024,
        description="Largest total unpacked size of an uploaded XLSX (a zip): refuses zip bombs.",
    )
    import_max_reported_errors: int = Field(
        default=1000,
        description="Row errors an import report lists; further ones are only counted.",
    )
    # 96333 incidents (DESIGN §4) -------------------------------------------------------------
    incident_dedup_window_minutes: int = Field(
        default=10,
        ge=0,
        le=1440,
        description="DESIGN §4: a report within this many minutes of an open incident of the "
        "same elevator and kind joins it instead of starting a new rescue.",
    )
    incident_number_prefix: str = Field(
        default="QJ", description="Incident numbers read PREFIX + local date + '-' + sequence."
    )
    rescue_hotline: str = Field(default="96333", description="Shown on public cards and receipts.")
    escalation_level3_after_minutes: int = Field(
        default=15,
        ge=1,
        le=240,
        description="Level 3 (fire service 119) this many minutes after the arrival deadline "
        "when still nobody is on site (level 2 comes at the deadline).",
    )
    escalation_loop_enabled: bool = Field(
        default=True, description="`serve` runs the escalation pass in the background."
    )
    escalation_interval_seconds: int = Field(
        default=30, ge=1, le=3600, description="Seconds between two background escalation passes."
    )
    risk_refresh_loop_enabled: bool = Field(
        default=True, description="`serve` refreshes the risk snapshot in the background."
    )
    risk_refresh_interval_seconds: int = Field(
        default=86_400,
        ge=60,
        le=604_800,
        description="Seconds between two background risk-snapshot refreshes (the first at start).",
    )
    kpi_response_minutes: int = Field(
        default=5,
        ge=1,
        le=120,
        description="应急响应率: a trapped incident counts as answered when accepted within this "
        "many minutes of dispatch (DESIGN §5).",
    )
    rate_limit_enabled: bool = Field(
        default=True, description="Per-client-IP limits on the public routes (429 Retry-After)."
    )
    rate_limit_public_intake: str = Field(
        default="20/minute",
        description="Unauthenticated POST /incidents per client IP (`limits` notation).",
    )
    rate_limit_public_read: str = Field(
        default="120/minute",
        description="GET /incidents/track/* and /public/* per client IP (`limits` notation).",
    )
    max_request_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body outside /api/v1/imports (413 PAYLOAD_TOO_LARGE).",
    )
    benchmark_routes_enabled: bool = Field(
        default=False, description="Mounts /bench/* (a bare one-INSERT ceiling) for benchmarks."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
