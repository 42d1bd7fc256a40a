"""Home pages leave out no work: a team lead's team's overdue reviews, a submitter's plans that came back."""

import pytest
from django.test import Client

from phb.constants import Role
from tests.factories import PlanFactory, TeamFactory, member
from tests.factories.reviews import OverdueReviewFactory, ReviewedPlanFactory

pytestmark = pytest.mark.django_db


def _home(user):
    client = Client()
    client.force_login(user)
    return client.get("/o/07T/").content.decode()


def test_a_team_lead_sees_the_teams_overdue_review_counted(org):
    team = TeamFactory(organisation=org, name="Recovery")
    lead = member(org, Role.TEAM_LEAD, username="lead", team=team)
    coordinator = member(org, Role.CARE_COORDINATOR, username="cc", team=team)
    elsewhere = member(org, Role.CARE_COORDINATOR, username="other_team", team=TeamFactory(organisation=org))
    OverdueReviewFactory(plan=ReviewedPlanFactory(organisation=org, care_coordinator=coordinator))
    OverdueReviewFactory(plan=ReviewedPlanFactory(organisation=org, care_coordinator=elsewhere))

    html = _home(lead)

    assert '<span class="phb-figure">1</span> of my team&#x27;s reviews overdue' in html


def test_a_submitter_sees_returned_and_declined_plans_listed(org, coordinator):
    returned = PlanFactory(organisation=org, care_coordinator=coordinator, return_comment="Add the risks")
    declined = PlanFactory(organisation=org, care_coordinator=coordinator, status="declined")
    PlanFactory(organisation=org, care_coordinator=coordinator)  # a draft never submitted

    html = _home(coordinator)

    assert "Returned for changes" in html
    assert f"{returned.person.full_name}, version 1</a>: Add the risks" in html
    assert f"{declined.person.full_name}, version 1</a>" in html
    assert html.count(", version 1</a>") == 2
