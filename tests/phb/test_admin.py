"""The Django admin is for looking (issue 13, finding 4): no pathway record is added, changed or
deleted there, no user is deleted, and the audit trail keeps who acted."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import Client

from phb.audit import record_event
from phb.models import AuditEvent
from support_plans.models import SupportPlan
from tests.factories import approved_plan

pytestmark = pytest.mark.django_db

PATHWAY_APPS = {"phb", "referrals", "support_plans", "approvals", "payments", "reviews", "reporting"}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.nhs.uk", "x-long-password-1")


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_no_pathway_model_can_be_added_changed_or_deleted_in_the_admin(superuser):
    request = _request_for(superuser)
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PATHWAY_APPS:
            continue
        admins = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for each in admins:
            for permission in ("add", "change", "delete"):
                if getattr(each, f"has_{permission}_permission")(request, None):
                    writable.append(f"{type(each).__name__}: {permission}")
    assert writable == []


def test_a_superuser_cannot_approve_a_plan_through_the_admin(org, superuser):
    plan = approved_plan(org, status="draft")
    client = Client()
    client.force_login(superuser)
    url = f"/admin/support_plans/supportplan/{plan.pk}/change/"
    assert client.get(url).status_code == 200  # looking is fine
    client.post(url, {"status": "approved", "cost_total": "9999.00"})
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert SupportPlan.objects.get(pk=plan.pk).cost_total != 9999


def test_a_superuser_cannot_move_a_person_to_another_organisation_in_the_admin(
    org, other_org, superuser, person
):
    client = Client()
    client.force_login(superuser)
    client.post(f"/admin/phb/person/{person.pk}/change/", {"organisation": other_org.pk})
    person.refresh_from_db()
    assert person.organisation_id == org.pk


def test_users_cannot_be_deleted_in_the_admin(superuser, coordinator):
    client = Client()
    client.force_login(superuser)
    response = client.post(f"/admin/auth/user/{coordinator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=coordinator.pk).exists()


def test_the_audit_trail_keeps_who_acted_and_their_account_cannot_be_deleted(org, coordinator, person):
    event = record_event(actor=coordinator, organisation=org, obj=person, action="person_viewed")
    assert event.actor_name == f"{coordinator.get_full_name()} ({coordinator.username})"
    with pytest.raises(ProtectedError):
        coordinator.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == coordinator.pk
