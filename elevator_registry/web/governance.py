"""Public governance pages (no login): the blacklist, the star ratings, the cost disclosures.

Each page runs the statement of its public API route (GET /api/v1/public/...) through the same
keyset pagination and behind the same public-read rate limit, so a page shows exactly the rows
the API gives anyone, and a bad parameter gets the API's message (on an error page, 422).
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.governance import blacklist as blacklist_service
from elevator_registry.governance import disclosures as disclosure_service
from elevator_registry.governance import ratings as rating_service
from elevator_registry.governance.models import BlacklistEntry, CostDisclosure, StarRating
from elevator_registry.governance.routes import YearFilter
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import Cursor, FilterId, PageLimit
from elevator_registry.web.public import ReadLimit
from elevator_registry.web.routing import PageRoute, WebSessionDep
from elevator_registry.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(
    session: Session,
    statement: Select[Any],
    id_column: InstrumentedAttribute[int],
    *,
    path: str,
    params: dict[str, Any],
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """One page of a public statement, paged as the API pages it, with the pager's links."""
    page = fetch_page(session, statement, id_column, limit=limit, cursor=cursor, as_rows=True)
    # The pager repeats the page's own parameters, never the cursor it was reached with.
    query = urlencode({"limit": limit} | {key: value for key, value in params.items() if value})
    return {
        "rows": page["items"],
        "pager": {
            "path": path,
            "query": query,
            "next_cursor": page["next_cursor"],
            "paged": bool(cursor),
        },
    }


@router.get("/public/blacklist")
def public_blacklist(
    _limit: ReadLimit,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> Response:
    """黑名单: the listings in force today, with the listed entity's public identity only."""
    page = _page(
        session,
        blacklist_service.public_statement(clock.today()),
        BlacklistEntry.id,
        path="/public/blacklist",
        params={},
        limit=limit,
        cursor=cursor,
    )
    return render(
        request,
        "public_blacklist.html",
        page | {"today": clock.today()},
        web_session=web_session,
        settings=settings,
    )


@router.get("/public/star-ratings")
def public_star_ratings(
    _limit: ReadLimit,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    year: YearFilter = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> Response:
    """星级评定 of one year (the latest rated year unless chosen)."""
    years = rating_service.rated_years(session)
    shown = year if year is not None else next(iter(years), None)
    page = _page(
        session,
        rating_service.public_statement(year=shown),
        StarRating.id,
        path="/public/star-ratings",
        params={"year": shown},
        limit=limit,
        cursor=cursor,
    )
    return render(
        request,
        "public_star_ratings.html",
        page
        | {
            "years": years,
            "year": shown,
            # Stars are drawn out of the most the configured thresholds can give.
            "max_stars": max(settings.rating_star_thresholds, default=5),
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/public/cost-disclosures")
def public_cost_disclosures(
    _limit: ReadLimit,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    user_unit_id: FilterId = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> Response:
    """维保费用公示 of one user unit, or the form to choose one by name."""
    units = disclosure_service.disclosing_user_units(session)
    page: dict[str, Any] = {"rows": [], "pager": None}
    if user_unit_id is not None:
        page = _page(
            session,
            disclosure_service.public_statement(user_unit_id=user_unit_id),
            CostDisclosure.id,
            path="/public/cost-disclosures",
            params={"user_unit_id": user_unit_id},
            limit=limit,
            cursor=cursor,
        )
    return render(
        request,
        "public_cost_disclosures.html",
        page | {"units": units, "user_unit_id": user_unit_id},
        web_session=web_session,
        settings=settings,
    )
