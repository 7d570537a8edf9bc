"""Runtime settings: one `Settings` object read from `ELEVATOR_REGISTRY_*` environment variables."""

from functools import lru_cache
from pathlib import Path

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
    log_json: bool = Field(default=False, description="Render logs as JSON lines (production).")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
