import dataclasses

import pytest
from django.db import transaction

from phb import events, flow


def test_every_event_has_a_line_in_the_flow_and_every_line_an_event():
    declared = {
        name
        for name, value in vars(events).items()
        if isinstance(value, type) and issubclass(value, events.Event) and value is not events.Event
    }
    assert declared == set(flow.REACTIONS)


def test_every_reaction_in_the_flow_resolves_to_a_function():
    for name in flow.REACTIONS:
        for reaction in events.reactions_for(getattr(events, name)):
            assert callable(reaction), (name, reaction)


def test_events_are_frozen():
    event = events.PlanSubmitted(organisation_id=1, actor_id=None, plan_id=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.plan_id = 3


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="outside a transaction"):
        events.publish(events.PlanSubmitted(organisation_id=1, actor_id=None, plan_id=2))


@pytest.mark.django_db
def test_reactions_run_in_the_flow_order_and_their_results_come_back(monkeypatch):
    seen = []
    monkeypatch.setattr(
        events,
        "_reactions",
        lambda event_type: (lambda e: seen.append(("a", e.plan_id)) or "a", lambda e: "b"),
    )
    with transaction.atomic():
        results = events.publish(events.PlanSubmitted(organisation_id=1, actor_id=None, plan_id=7))
    assert seen == [("a", 7)]
    assert results == ["a", "b"]
