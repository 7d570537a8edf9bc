"""`elevator-registry star-ratings`: rate a closed year (as POST /star-ratings/compute) and
print every unit's score, stars and grade with the year's distribution."""

from collections import Counter
from typing import Annotated

import typer
from sqlalchemy import select

from elevator_registry.auth.principal import CLI
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.errors import DomainError
from elevator_registry.governance import ratings
from elevator_registry.governance.models import StarRating
from elevator_registry.registry.models import Organisation
from elevator_registry.schema_check import require_schema


def star_ratings(
    year: Annotated[int, typer.Option(help="A calendar year that has ended.")],
) -> None:
    """Rates every unit that maintained in YEAR (idempotent) and prints the ratings."""
    require_schema()
    clock = get_clock()
    try:
        with get_sessionmaker()() as session, session.begin():
            counts = ratings.compute(
                session,
                year=year,
                actor=CLI,
                settings=get_settings(),
                today=clock.today(),
                now=clock.now(),
            )
            rows = session.execute(
                select(Organisation.name, StarRating.score, StarRating.stars, StarRating.grade)
                .join(Organisation, Organisation.id == StarRating.maintenance_unit_id)
                .where(StarRating.year == year)
                .order_by(StarRating.score.desc(), Organisation.name)
            ).all()
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(
        f"{year}: {counts['created']} rated, {counts['updated']} re-rated, "
        f"{counts['unchanged']} unchanged"
    )
    for name, score, stars, grade in rows:
        typer.echo(f"{grade}  {stars}★  {score:>6}  {name}")
    grades = Counter(row.grade for row in rows)
    star_counts = Counter(row.stars for row in rows)
    typer.echo("grades: " + ", ".join(f"{g} {grades[g]}" for g in "ABCD"))
    typer.echo("stars: " + ", ".join(f"{s}★ {star_counts[s]}" for s in (5, 4, 3, 2, 0)))
