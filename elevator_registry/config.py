"""Runtime settings: one `Settings` object read from `ELEVATOR_REGISTRY_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_alembic_dir() -> Path:
    """The Alembic environment: inside the installed package (the wheel maps the top-level
    `alembic/` folder to `elevator_registry/alembic`), else the checkout's `alembic/` folder."""
    package = Path(__file__).resolve().parent
    installed = package / "alembic"
    return installed if installed.is_dir() else package.parent / "alembic"


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
        default_factory=default_alembic_dir,
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
    # Governance (DESIGN §6) ---------------------------------------------------------------
    # Star ratings. No source gives weights (domain-rules S1, "Proposed star formula"); these
    # are the district's choice, documented in the README, and stored in every rating.
    rating_weights: dict[str, float] = Field(
        default={
            "on_time_arrival": 25,
            "trapped_rate": 20,
            "overdue_maintenance": 20,
            "first_pass_inspection": 15,
            "unconfirmed_records": 10,
            "drills": 10,
        },
        description="Points per indicator of the 100-point maintenance-unit score (sum 100).",
    )
    rating_scales: dict[str, tuple[float, float]] = Field(
        default={
            "on_time_arrival": (0.80, 0.98),
            "trapped_rate": (0.24, 0.06),
            "overdue_maintenance": (0.20, 0.0),
            "first_pass_inspection": (0.75, 0.95),
            "unconfirmed_records": (0.20, 0.0),
            "drills": (0, 2),
        },
        description="Per indicator (value earning no points, value earning full points); points "
        "are linear in between. Full marks sit on the plan's 2023 targets (按时到达率 98%, "
        "检验合格率 95%, 故障困人率 0.5%/month = 0.06 per elevator-year) and TSG T5002 (a drill "
        "every 6 months, a visit every 15 days).",
    )
    rating_grade_thresholds: dict[str, float] = Field(
        default={"A": 90, "B": 75, "C": 60},
        description="Lowest score of each grade; below C, or any veto item, is D.",
    )
    rating_star_thresholds: dict[int, float] = Field(
        default={5: 95, 4: 85, 3: 75, 2: 60},
        description="Lowest score for each number of stars; below 2 stars, or a veto, is 0.",
    )
    # Insurance premium factor: the product of one multiplier per risk input (domain-rules N5:
    # no published formula exists; these are stored with each policy so a premium can be
    # explained after the table changes).
    premium_age_factors: dict[int, float] = Field(
        default={0: 0.9, 5: 1.0, 10: 1.1, 15: 1.25, 20: 1.4},
        description="Years in use (from commissioning) → multiplier, from that age up.",
    )
    premium_place_factors: dict[str, float] = Field(
        default={"public_gathering": 1.2, "residential": 1.0, "other": 1.0},
        description="Place category → multiplier; public gathering places carry more people.",
    )
    premium_trapped_factors: dict[int, float] = Field(
        default={0: 0.95, 1: 1.0, 2: 1.1, 3: 1.3},
        description="Trapped incidents in the last 12 months → multiplier, from that count up.",
    )
    premium_inspection_factors: dict[str, float] = Field(
        default={"pass": 1.0, "pass_after_rectification": 1.1, "fail": 1.5, "none": 1.2},
        description="Latest periodic inspection or self-test result → multiplier.",
    )
    premium_assessment_factors: dict[str, float] = Field(
        default={"none": 1.0, "1": 0.95, "2": 1.0, "3": 1.2, "4": 1.5},
        description="Latest safety-assessment risk grade (GB/T 42615, 4 worst) → multiplier.",
    )
    premium_star_factors: dict[str, float] = Field(
        default={"5": 0.85, "4": 0.9, "3": 1.0, "2": 1.1, "0": 1.3, "unrated": 1.15},
        description="Stars of the current maintainer's latest rating → multiplier.",
    )
    premium_iot_factors: dict[str, float] = Field(
        default={"fitted": 0.9, "not_fitted": 1.0},
        description="Smart terminal (IoT) fitted or not → multiplier (plan §三(五)).",
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
        description="Seeds the default escalation policy's level-3 step (fire service 119, this "
        "many minutes after the arrival deadline) when migration 0011 runs; afterwards the "
        "escalation_policy_step table decides.",
    )
    escalation_loop_enabled: bool = Field(
        default=True, description="`serve` runs the escalation pass in the background."
    )
    escalation_interval_seconds: int = Field(
        default=30, ge=1, le=3600, description="Seconds between two background escalation passes."
    )
    # Outbox and notifications (README "Outbox and notifications") ---------------------------
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people reach this service at; acknowledge links start with it.",
    )
    outbox_loop_enabled: bool = Field(
        default=True, description="`serve` delivers outbox messages in the background."
    )
    outbox_interval_seconds: float = Field(
        default=0.5, ge=0.05, le=60, description="Seconds between two outbox delivery passes."
    )
    outbox_batch_size: int = Field(
        default=200, ge=1, le=10_000, description="Messages one delivery pass sends at most."
    )
    outbox_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Deliveries one pass runs side by side (each with its own connection).",
    )
    outbox_max_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts before a message is given up as dead."
    )
    outbox_backoff_base_seconds: float = Field(
        default=5.0,
        ge=0.01,
        le=3600,
        description="Wait after the first failed attempt; doubled after each further failure.",
    )
    outbox_backoff_cap_seconds: float = Field(
        default=900.0, ge=0.01, le=86_400, description="Longest wait between two attempts."
    )
    webhook_timeout_seconds: float = Field(
        default=5.0, ge=0.1, le=60, description="How long one webhook or SMS-gateway call may take."
    )
    webhook_replay_window_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Receivers refuse a signed webhook whose timestamp is further than this "
        "from their clock (verify_signature's default tolerance).",
    )
    sms_gateway_url: str | None = Field(
        default=None,
        description="HTTP endpoint of the SMS gateway adapter (JSON POST); unset: SMS messages "
        "are recorded as failed attempts naming the missing gateway.",
    )
    sms_gateway_token: SecretStr | None = Field(
        default=None, description="Bearer token the SMS gateway expects, if any."
    )
    ack_link_minutes: int = Field(
        default=120, ge=1, le=7 * 24 * 60, description="How long a one-tap acknowledge link works."
    )
    ack_link_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs acknowledge links (32+ random bytes). Unset: the web "
        "session key is used (random per process unless web_session_secret is set).",
    )
    non_response_window_days: int = Field(
        default=365,
        ge=1,
        le=3660,
        description="MAINTAINER_NON_RESPONSE counts dispatches in this many days before as_of.",
    )
    non_response_threshold: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="MAINTAINER_NON_RESPONSE: this many dispatches not accepted within "
        "kpi_response_minutes in the window put the firm's elevators on the risk list.",
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
    rate_limit_storage_url: str | None = Field(
        default=None,
        description="Where the public rate limits count: unset, in each process's memory (one "
        "process); `redis://host:6379/0` (the `limits` library's Redis storage) to share the "
        "counts across `--workers` and instances.",
    )
    rate_limit_key_prefix: str = Field(
        default="elevator_registry",
        description="Prefix of the rate-limit keys in the shared store (one per deployment).",
    )
    live_poll_seconds: float = Field(
        default=0.5,
        ge=0.1,
        le=10,
        description="How often each process looks for new incident events for its live pages "
        "(one cheap query per process, not per viewer).",
    )
    live_stream_max_seconds: int = Field(
        default=600,
        ge=10,
        le=86_400,
        description="Longest life of one live-page event stream; the browser reconnects (the "
        "public tracking page's reconnects count against the public-read limit).",
    )
    live_fallback_poll_seconds: int = Field(
        default=5,
        ge=1,
        le=300,
        description="When a page's event stream drops, how often it fetches its list instead.",
    )
    max_request_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body outside /api/v1/imports (413 PAYLOAD_TOO_LARGE).",
    )
    benchmark_routes_enabled: bool = Field(
        default=False, description="Mounts /bench/* (a bare one-INSERT ceiling) for benchmarks."
    )
    web_session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs the web pages' session cookie and CSRF tokens (32+ random "
        "bytes). Unset: a random key per process, so logins end at restart and do not carry "
        "across `--workers`; set it in production.",
    )
    web_session_hours: int = Field(
        default=12, ge=1, le=24 * 7, description="How long a web login lasts (one shift)."
    )
    web_cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie over HTTPS only. Browsers also honour it on "
        "http://127.0.0.1 and localhost; turn it off only to test on another plain-HTTP host.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failed logins (per login name, and per client address) that lock it.",
    )
    login_lock_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked login name or address waits."
    )
    login_failure_window_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="Failures older than this are forgotten (the count starts again).",
    )
    password_min_length: int = Field(
        default=10, ge=8, le=128, description="Shortest password a person may choose."
    )
    web_tracking_refresh_seconds: int = Field(
        default=10, ge=2, le=300, description="How often the public tracking page reloads itself."
    )

    # The maintenance visit on the phone (电子维保) -------------------------------------------
    visit_checkin_radius_m: int = Field(
        default=300,
        ge=10,
        le=100_000,
        description="A check-in farther than this many metres from the elevator's coordinates "
        "is flagged (not refused): GPS indoors is often off by 100 m.",
    )
    visit_photo_checkpoints: dict[str, str] = Field(
        default={"machine_room": "机房", "car_top": "轿顶", "pit": "底坑", "car": "轿厢"},
        min_length=1,
        description="Photo checkpoints of a visit (key → Chinese label); each needs a photo "
        "before and after the work.",
    )
    visit_photo_max_bytes: int = Field(
        default=15 * 1024 * 1024,
        ge=1024,
        description="Largest photo a visit accepts (413 PHOTO_TOO_LARGE); a 48 MP phone JPEG "
        "is about 12 MB.",
    )
    photo_storage: Literal["local", "s3"] = Field(
        default="local", description="Where photos go: `local` folder or `s3` object storage."
    )
    photo_storage_dir: Path = Field(
        default=Path("photos"),
        description="Folder of the local photo store (content-addressed by SHA-256).",
    )
    photo_s3_bucket: str | None = Field(default=None, description="Bucket of the S3 store.")
    photo_s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, Ceph…); unset for AWS."
    )
    photo_s3_region: str | None = Field(default=None, description="Region of the S3 store.")
    photo_s3_prefix: str = Field(
        default="visit-photos/", description="Key prefix of photos in the bucket."
    )

    @model_validator(mode="after")
    def _tables_are_complete(self) -> Self:
        """Refuses at start-up a rating or premium table that would break, or be refused by the
        database's checks, only when the first rating or policy is computed."""
        problems = [
            f"{name} must name exactly {', '.join(sorted(map(str, default)))}"
            for name in _KEYED_TABLES
            if set(map(str, getattr(self, name))) != set(map(str, default := _default(name)))
        ]
        if abs(sum(self.rating_weights.values()) - 100) > 1e-9:
            problems.append("rating_weights must add up to 100 (the score is out of 100)")
        stars, grades = self.rating_star_thresholds, self.rating_grade_thresholds
        if not set(stars) <= {2, 3, 4, 5}:
            problems.append("rating_star_thresholds keys must be among 2, 3, 4 and 5 stars")
        if not set(grades) <= {"A", "B", "C"}:
            problems.append("rating_grade_thresholds keys must be among A, B and C (below is D)")
        for name, rising in (
            ("rating_star_thresholds", [stars[count] for count in sorted(stars)]),
            ("rating_grade_thresholds", [grades[grade] for grade in sorted(grades, reverse=True)]),
        ):
            if rising != sorted(set(rising)) or not all(0 <= score <= 100 for score in rising):
                problems.append(f"{name} must rise with the rank, within 0-100")
        for name in _PREMIUM_TABLES:
            if any(factor <= 0 for factor in getattr(self, name).values()):
                problems.append(f"{name} multipliers must be positive")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# Tables looked up by fixed keys: an override must name the same keys as the default.
_KEYED_TABLES = (
    "severity_weights",
    "rating_weights",
    "rating_scales",
    "premium_place_factors",
    "premium_inspection_factors",
    "premium_assessment_factors",
    "premium_star_factors",
    "premium_iot_factors",
)
_PREMIUM_TABLES = (
    "premium_age_factors",
    "premium_trapped_factors",
    "premium_place_factors",
    "premium_inspection_factors",
    "premium_assessment_factors",
    "premium_star_factors",
    "premium_iot_factors",
)


def _default(name: str) -> dict[object, object]:
    return Settings.model_fields[name].default  # type: ignore[no-any-return]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
