"""Read models of visits, for the visit API, maintenance records and the dossier.

Apart from the service so that `maintenance.service` can attach a record's visit without importing
the visit service (which files records through it).
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.visits.enums import Presence
from elevator_registry.visits.models import MaintenanceVisit, VisitPhoto
from elevator_registry.visits.schemas import VisitPhotoRead, VisitRead


def _flags(visit: MaintenanceVisit, photos: Sequence[VisitPhoto]) -> list[str]:
    flags = []
    if visit.check_in_far:
        flags.append("FAR_FROM_ELEVATOR")
    if visit.check_in_distance_m is None:
        flags.append("NO_LOCATION")
    if any(photo.reused for photo in photos):
        flags.append("PHOTO_REUSED")
    if visit.second_worker_presence == Presence.ENTERED_BY_FIRST:
        flags.append("SECOND_WORKER_ENTERED_BY_FIRST")
    return flags


def visit_reads(session: Session, visits: Sequence[MaintenanceVisit]) -> list[VisitRead]:
    """Read models with photos and flags, in one query for all photos."""
    photos: dict[int, list[VisitPhoto]] = {visit.id: [] for visit in visits}
    if visits:
        for photo in session.scalars(
            select(VisitPhoto).where(VisitPhoto.visit_id.in_(list(photos))).order_by(VisitPhoto.id)
        ):
            photos[photo.visit_id].append(photo)
    return [
        VisitRead.model_validate(visit).model_copy(
            update={
                "photos": [VisitPhotoRead.model_validate(photo) for photo in photos[visit.id]],
                "flags": _flags(visit, photos[visit.id]),
            }
        )
        for visit in visits
    ]


def visits_of_records(session: Session, record_ids: Sequence[int]) -> dict[int, VisitRead]:
    """The visit behind each record that has one."""
    if not record_ids:
        return {}
    visits = list(
        session.scalars(
            select(MaintenanceVisit).where(MaintenanceVisit.record_id.in_(list(record_ids)))
        )
    )
    return {
        read.record_id: read for read in visit_reads(session, visits) if read.record_id is not None
    }
