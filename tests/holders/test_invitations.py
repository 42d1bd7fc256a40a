"""Inviting a budget holder and accepting: an expiring, single-use link that makes an account granted
the person (django-guardian), e-mailed after the commit and answered for a letter."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from phb import invitations
from phb.budget_holders import is_budget_holder, people_of
from phb.constants import Role
from phb.models import Invitation, InvitationKind, Membership
from tests.factories import PersonFactory, member

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _invite(api, user, person, **body):
    return api(user).post(
        f"/api/v1/orgs/{person.organisation.code}/people/{person.pk}/invitations/",
        {"email": "amara@example.org", "as": "representative", **body},
        format="json",
    )


def _token(response) -> str:
    return response.json()["accept_url"].rstrip("/").rsplit("/", 1)[-1]


def test_a_care_coordinator_invites_and_the_link_is_emailed_after_commit(
    api, coordinator, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(api, coordinator, person)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "accept_url", "expires"}
    assert "/invitations/" in body["accept_url"]
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.kind == InvitationKind.BUDGET_HOLDER
    assert invitation.person == person and invitation.acting_as == "representative"
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amara@example.org"]
    assert body["accept_url"] in mail.outbox[0].body


def test_inviting_needs_credentials_the_coordinator_role_and_a_person_of_your_organisation(
    api, org, coordinator, person, outsider, other_org
):
    assert _invite(api, None, person).status_code == 401
    assert _invite(api, member(org, Role.FINANCE, username="fin"), person).status_code == 403
    assert _invite(api, outsider, person).status_code == 404
    foreign = PersonFactory(organisation=other_org)
    response = api(coordinator).post(
        f"/api/v1/orgs/{org.code}/people/{foreign.pk}/invitations/",
        {"email": "x@example.org", "as": "person"},
        format="json",
    )
    assert response.status_code == 404


def test_inviting_refuses_an_unknown_relation_and_a_missing_email(api, coordinator, person):
    assert _invite(api, coordinator, person, **{"as": "neighbour"}).status_code == 400
    assert _invite(api, coordinator, person, email="").status_code == 400
    assert not Invitation.objects.filter(person=person).exists()


def test_accepting_without_signing_in_makes_an_account_that_holds_only_the_person(api, coordinator, person):
    token = _token(_invite(api, coordinator, person))
    response = api(None).post(
        f"/api/v1/invitations/{token}/accept/", {"username": "amara", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "amara"
    user = get_user_model().objects.get(username="amara")
    assert user.check_password(PASSWORD)
    assert user.has_perm("phb.view_person", person)  # the django-guardian object grant
    assert not user.has_perm("phb.view_person")  # and no global permission
    assert list(people_of(user)) == [person]
    assert not Membership.objects.filter(user=user).exists()
    assert is_budget_holder(user)


def test_an_invitation_works_once(api, coordinator, person):
    token = _token(_invite(api, coordinator, person))
    first = api(None).post(f"/api/v1/invitations/{token}/accept/", {"username": "a1", "password": PASSWORD})
    again = api(None).post(f"/api/v1/invitations/{token}/accept/", {"username": "a2", "password": PASSWORD})
    assert first.status_code == 201
    assert again.status_code == 409
    assert not get_user_model().objects.filter(username="a2").exists()


def test_an_expired_invitation_is_refused(api, coordinator, person):
    response = _invite(api, coordinator, person)
    Invitation.objects.filter(pk=response.json()["id"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    answer = api(None).post(
        f"/api/v1/invitations/{_token(response)}/accept/", {"username": "late", "password": PASSWORD}
    )
    assert answer.status_code == 409
    assert "expired" in answer.json()["detail"]


def test_a_link_never_issued_is_404(api):
    response = api(None).post(
        "/api/v1/invitations/not-a-token/accept/", {"username": "x", "password": PASSWORD}
    )
    assert response.status_code == 404


def test_a_weak_password_or_a_taken_username_makes_no_account(api, coordinator, person):
    token = _token(_invite(api, coordinator, person))
    weak = api(None).post(f"/api/v1/invitations/{token}/accept/", {"username": "amara", "password": "123"})
    assert weak.status_code == 400
    assert "password" in weak.json()
    taken = api(None).post(
        f"/api/v1/invitations/{token}/accept/", {"username": coordinator.username, "password": PASSWORD}
    )
    assert taken.status_code == 409
    assert Invitation.objects.get(token_digest__isnull=False, person=person).accepted_at is None
    assert not coordinator.has_perm("phb.view_person", person)


def test_a_staff_invitation_still_needs_a_signed_in_account(api, org):
    admin = member(org, Role.ORG_ADMIN, username="admin1")
    _invitation, token = invitations.invitation_create(
        actor=admin, organisation=org, email="x@example.nhs.uk", roles=[Role.FINANCE]
    )
    response = api(None).post(f"/api/v1/invitations/{token}/accept/", {"username": "x", "password": PASSWORD})
    assert response.status_code == 401
    assert not get_user_model().objects.filter(username="x").exists()


def test_the_coordinator_page_shows_the_link_for_a_letter_and_the_holder_page_makes_the_account(
    client, coordinator, person
):
    client.force_login(coordinator)
    page = client.get(f"/o/{person.organisation.code}/people/{person.pk}/invite/")
    assert page.status_code == 200
    response = client.post(
        f"/o/{person.organisation.code}/people/{person.pk}/invite/",
        {"email": "rep@example.org", "acting_as": "nominee"},
    )
    assert response.status_code == 200
    url = response.context["accept_url"]
    assert url in response.content.decode()
    client.logout()
    path = "/" + url.split("://", 1)[-1].split("/", 1)[1]
    shown = client.get(path)
    assert shown.status_code == 200
    assert "Choose a username" in shown.content.decode()
    made = client.post(path, {"username": "nominee1", "password": PASSWORD})
    assert made.status_code == 302 and made["Location"] == "/my/"
    user = get_user_model().objects.get(username="nominee1")
    assert user.has_perm("phb.view_person", person)
    assert Invitation.objects.get(accepted_by=user).acting_as == "nominee"


def test_the_org_admins_invitation_list_never_shows_a_budget_holders(
    api, org, coordinator, person, org_admin
):
    """A budget holder's invitation names a person and their e-mail: no org admin's to see."""
    _invite(api, coordinator, person, email="private@example.org")
    listed = api(org_admin).get(f"/api/v1/orgs/{org.code}/invitations/")
    assert listed.status_code == 200
    assert "private@example.org" not in listed.content.decode()
