"""Reporting's reactions to domain events (phb/flow.py): the live figures kept with every change."""

from phb.events import DataChanged

from . import live


def on_data_changed(event: DataChanged) -> None:
    """Recount the people's part of their organisation's live figures, in the change's transaction:
    the parts of it such changes can move."""
    live.refresh_people(event.organisation_id, event.person_ids, parts=live.parts_moved_by(event.actions))
