"""Who may see what. Every rule is one named function, applied in the field that hands out data.

A guardian sees their dependents and the permits they issued; a dependent sees their own
permits; a token with ``permits:watch-all`` sees every permit. Nobody else sees anything,
whatever path the query takes.
"""

from __future__ import annotations

from datasources.records import TravelPermit
from resolvers.context import Context

WATCH_ALL_PERMITS = "permits:watch-all"


def may_read_permit(context: Context, permit: TravelPermit) -> bool:
    viewer = context.viewer
    if viewer.national_id in (permit.guardian_id, permit.traveller_id):
        return True
    return viewer.has_scope(WATCH_ALL_PERMITS)


async def may_read_personal_records(context: Context, national_id: str) -> bool:
    """Passports and family of a person: the person themselves, or their guardian."""
    viewer_id = context.viewer.national_id
    if viewer_id is None:
        return False
    if viewer_id == national_id:
        return True
    dependents = await context.loaders.dependents_by_guardian.load(viewer_id)
    return any(link.person.national_id == national_id for link in dependents)
