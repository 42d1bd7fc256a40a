"""Accounts (issue 13): new accounts through members, existing ones only by invitations their owners
accept, role changes by another admin only, grants of sign-off and money roles told to the admins."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from phb.constants import Role
from phb.models import AuditEvent, Invitation, Membership
from tests.factories import TeamFactory, member
from tests.factories.kernel import PASSWORD

pytestmark = pytest.mark.django_db

TAKEN = {"detail": "That username is taken. To add someone who already has an account, invite them."}
NEW_ACCOUNT = {"password": "a-long-Passphrase-42", "roles": ["broker"], "email": "x@example.nhs.uk"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- POST /members/ creates new accounts only


@pytest.mark.parametrize("holder", ["member_elsewhere", "superuser", "member_here", "deactivated_here"])
def test_a_taken_username_is_the_same_409_whoever_holds_it_and_adds_nothing(
    api, org, other_org, org_admin, holder
):
    users = {
        "member_elsewhere": lambda: member(other_org, Role.FINANCE, username="taken"),
        "superuser": lambda: get_user_model().objects.create_superuser(
            "taken", "root@example.nhs.uk", PASSWORD
        ),
        "member_here": lambda: member(org, Role.CARE_COORDINATOR, username="taken"),
        "deactivated_here": lambda: member(org, Role.CARE_COORDINATOR, username="taken"),
    }
    user = users[holder]()
    if holder == "deactivated_here":
        Membership.objects.filter(user=user).update(is_active=False)
    memberships_before = list(Membership.objects.filter(user=user).values_list("organisation", "is_active"))
    roles_before = sorted(Membership.objects.filter(user=user).values_list("roles__role", flat=True), key=str)

    response = api(org_admin).post(
        "/api/v1/orgs/07T/members/", {"username": "taken", **NEW_ACCOUNT}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == TAKEN
    assert user.email not in response.content.decode()
    assert (
        list(Membership.objects.filter(user=user).values_list("organisation", "is_active"))
        == memberships_before
    )
    assert (
        sorted(Membership.objects.filter(user=user).values_list("roles__role", flat=True), key=str)
        == roles_before
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_new_account_needs_a_password(api, org, org_admin):
    response = api(org_admin).post(
        "/api/v1/orgs/07T/members/", {"username": "fresh", "roles": []}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not get_user_model().objects.filter(username="fresh").exists()


def test_the_staff_page_says_a_username_is_taken_and_points_to_invitations(org, other_org, org_admin):
    member(other_org, Role.FINANCE, username="taken")
    response = client_for(org_admin).post(
        "/o/07T/staff/new/", {"username": "taken", "password": "a-long-Passphrase-42", "roles": ["broker"]}
    )
    assert response.status_code == 200
    assert "That username is taken" in response.content.decode()
    assert not Membership.objects.filter(organisation=org, user__username="taken").exists()


# --- Invitations


def _invite(api, admin, **body):
    body = {"email": "sam@example.org", "roles": ["broker"], **body}
    return api(admin).post("/api/v1/orgs/07T/invitations/", body, format="json")


def test_an_org_admin_invites_an_address_and_the_link_is_emailed_after_commit(
    api, org, org_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _invite(api, org_admin, roles=["broker", "finance"])
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "sam@example.org" and body["roles"] == ["broker", "finance"]
    assert body["token"] and body["accept_url"].endswith(f"/invitations/{body['token']}/")
    invitation = Invitation.objects.get(pk=body["id"])
    assert body["token"] not in str(invitation.__dict__)  # only its digest is kept
    assert timedelta(days=6) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    [email] = mail.outbox
    assert email.to == ["sam@example.org"] and body["accept_url"] in email.body


def test_only_org_admins_invite_and_another_organisation_is_404(api, org, coordinator, outsider):
    assert _invite(api, coordinator).status_code == 403
    assert _invite(api, outsider).status_code == 404
    assert not Invitation.objects.exists()


def test_an_invitation_with_an_unknown_role_or_bad_email_is_a_400(api, org, org_admin):
    assert "roles" in _invite(api, org_admin, roles=["wizard"]).json()
    assert "email" in _invite(api, org_admin, email="not an address").json()
    assert not Invitation.objects.exists()


def test_the_owner_of_an_existing_account_accepts_and_joins_with_the_roles(api, org, other_org, org_admin):
    team = TeamFactory(organisation=org, name="Recovery")
    sam = member(other_org, Role.BROKER, username="sam")
    token = _invite(api, org_admin, team="Recovery").json()["token"]

    response = api(sam).post(f"/api/v1/invitations/{token}/accept/")

    assert response.status_code == 201, response.json()
    assert response.json() == {"organisation": "07T", "roles": ["broker"]}
    membership = Membership.objects.get(organisation=org, user=sam)
    assert membership.role_codes == {"broker"} and membership.team == team
    assert api(sam).get("/api/v1/orgs/07T/").status_code == 200
    assert AuditEvent.objects.filter(organisation=org, action="invitation_accepted", actor=sam).exists()


def test_an_invitation_works_once(api, org, other_org, org_admin):
    token = _invite(api, org_admin).json()["token"]
    api(member(other_org, username="first")).post(f"/api/v1/invitations/{token}/accept/")
    second = member(other_org, username="second")
    response = api(second).post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 409
    assert "already been used" in response.json()["detail"]
    assert not Membership.objects.filter(organisation=org, user=second).exists()


def test_an_expired_invitation_is_refused(api, org, other_org, org_admin):
    token = _invite(api, org_admin).json()["token"]
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    sam = member(other_org, username="sam")
    response = api(sam).post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 409 and "expired" in response.json()["detail"]
    assert not Membership.objects.filter(organisation=org, user=sam).exists()


def test_accepting_needs_a_signed_in_account_and_a_real_link(api, org, other_org, org_admin):
    token = _invite(api, org_admin).json()["token"]
    assert api(None).post(f"/api/v1/invitations/{token}/accept/").status_code == 401
    assert api(member(other_org)).post("/api/v1/invitations/not-a-token/accept/").status_code == 404
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()


def test_an_existing_member_cannot_accept_an_invitation_to_change_their_roles(api, org, org_admin):
    token = _invite(api, org_admin, roles=["finance", "commissioner"]).json()["token"]
    response = api(org_admin).post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 409
    assert Membership.objects.get(user=org_admin).role_codes == {"org_admin"}


def test_accepting_an_invitation_with_a_money_role_is_told_to_the_other_admins(
    api, org, other_org, org_admin, django_capture_on_commit_callbacks
):
    second_admin = member(org, Role.ORG_ADMIN, username="secondadmin")
    token = _invite(api, org_admin, roles=["finance"]).json()["token"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api(member(other_org, username="sam")).post(f"/api/v1/invitations/{token}/accept/")
    assert [m.to for m in mail.outbox] == [[second_admin.email]]  # not the inviter, who knows
    assert AuditEvent.objects.get(action="roles_granted").after["granted"] == ["finance"]


def test_the_invitation_page_is_accepted_while_signed_in(org, other_org, org_admin, api):
    token = _invite(api, org_admin).json()["token"]
    sam = member(other_org, username="sam")
    anonymous = Client().get(f"/invitations/{token}/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    page = client_for(sam).get(f"/invitations/{token}/")
    assert "Accept and join NHS City and Hackney" in page.content.decode()
    response = client_for(sam).post(f"/invitations/{token}/")
    assert response.status_code == 302 and response.url == "/o/07T/"
    assert Membership.objects.filter(organisation=org, user=sam).exists()
    assert "already been used" in client_for(sam).get(f"/invitations/{token}/").content.decode()


def test_the_org_admin_invites_from_the_staff_page(org, org_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_admin).post(
            "/o/07T/staff/invite/", {"email": "sam@example.org", "roles": ["finance"]}
        )
    assert response.status_code == 302
    assert Invitation.objects.get().roles == ["finance"]
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "sam@example.org" in client_for(org_admin).get("/o/07T/staff/").content.decode()


# --- PATCH /members/{id}/: another admin changes roles; nobody their own


def _membership(user):
    return Membership.objects.get(user=user)


def test_an_org_admin_changes_a_members_roles_and_team(api, org, org_admin, coordinator):
    TeamFactory(organisation=org, name="Recovery")
    response = api(org_admin).patch(
        f"/api/v1/orgs/07T/members/{_membership(coordinator).pk}/",
        {"roles": ["care_coordinator", "team_lead"], "team": "Recovery"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["roles"] == ["care_coordinator", "team_lead"]
    assert response.json()["team"] == "Recovery" and response.json()["active"] is True
    assert _membership(coordinator).role_codes == {"care_coordinator", "team_lead"}


def test_deactivating_a_member_keeps_their_account_and_locks_them_out(api, org, org_admin, coordinator):
    url = f"/api/v1/orgs/07T/members/{_membership(coordinator).pk}/"
    response = api(org_admin).patch(url, {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert _membership(coordinator).role_codes == {"care_coordinator"}
    assert get_user_model().objects.filter(pk=coordinator.pk).exists()
    assert api(coordinator).get("/api/v1/orgs/07T/people/").status_code == 404
    assert api(org_admin).delete(url).status_code == 405


def test_nobody_changes_their_own_roles(api, org, org_admin):
    url = f"/api/v1/orgs/07T/members/{_membership(org_admin).pk}/"
    response = api(org_admin).patch(url, {"roles": ["org_admin", "commissioner", "finance"]}, format="json")
    assert response.status_code == 403
    assert api(org_admin).patch(url, {"active": False}, format="json").status_code == 403
    assert _membership(org_admin).role_codes == {"org_admin"} and _membership(org_admin).is_active


def test_a_superuser_cannot_change_their_own_roles_either(api, org):
    root = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    membership = Membership.objects.get(user=member(org, Role.CARE_COORDINATOR, username="x"))
    Membership.objects.filter(pk=membership.pk).update(user=root)
    response = api(root).patch(
        f"/api/v1/orgs/07T/members/{membership.pk}/", {"roles": ["finance"]}, format="json"
    )
    assert response.status_code == 403


def test_changing_roles_is_for_org_admins_and_foreign_members_are_404(
    api, org, other_org, coordinator, outsider
):
    admin = member(org, Role.ORG_ADMIN, username="admin07t")
    assert (
        api(coordinator)
        .patch(f"/api/v1/orgs/07T/members/{_membership(admin).pk}/", {"roles": []}, format="json")
        .status_code
        == 403
    )
    foreign = Membership.objects.get(user=outsider)
    assert (
        api(admin).patch(f"/api/v1/orgs/07T/members/{foreign.pk}/", {"roles": []}, format="json").status_code
        == 404
    )
    assert api(admin).patch(
        f"/api/v1/orgs/07T/members/{_membership(coordinator).pk}/", {"roles": ["wizard"]}, format="json"
    ).json() == {"roles": {"0": ['"wizard" is not one of the codes for roles']}}
    assert _membership(coordinator).role_codes == {"care_coordinator"}


def test_granting_a_sign_off_role_is_audited_and_emailed_to_the_other_admins(
    api, org, org_admin, coordinator, django_capture_on_commit_callbacks
):
    second_admin = member(org, Role.ORG_ADMIN, username="secondadmin")
    with django_capture_on_commit_callbacks(execute=True):
        api(org_admin).patch(
            f"/api/v1/orgs/07T/members/{_membership(coordinator).pk}/",
            {"roles": ["care_coordinator", "commissioner"]},
            format="json",
        )
    event = AuditEvent.objects.get(action="roles_granted")
    assert event.actor == org_admin and event.after["granted"] == ["commissioner"]
    [email] = mail.outbox
    assert email.to == [second_admin.email]
    assert "Commissioner" in email.subject and "coordinator" in email.body


def test_granting_a_role_that_neither_signs_nor_pays_tells_nobody(
    api, org, org_admin, coordinator, django_capture_on_commit_callbacks
):
    member(org, Role.ORG_ADMIN, username="secondadmin")
    with django_capture_on_commit_callbacks(execute=True):
        api(org_admin).patch(
            f"/api/v1/orgs/07T/members/{_membership(coordinator).pk}/",
            {"roles": ["care_coordinator", "region_viewer"]},
            format="json",
        )
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="roles_granted").exists()


def test_a_new_account_with_a_money_role_is_told_to_the_other_admins(
    api, org, org_admin, django_capture_on_commit_callbacks
):
    second_admin = member(org, Role.ORG_ADMIN, username="secondadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(org_admin).post(
            "/api/v1/orgs/07T/members/",
            {"username": "newpay", **NEW_ACCOUNT, "roles": ["finance"]},
            format="json",
        )
    assert response.status_code == 201
    assert [m.to for m in mail.outbox] == [[second_admin.email]]


def test_the_staff_page_does_not_let_an_admin_change_their_own_roles(org, org_admin):
    membership = _membership(org_admin)
    page = client_for(org_admin).get(f"/o/07T/staff/{membership.pk}/").content.decode()
    assert "You cannot change your own roles" in page
    assert 'name="roles"' not in page and 'name="is_active"' not in page
    client_for(org_admin).post(f"/o/07T/staff/{membership.pk}/", {"roles": ["finance", "org_admin"]})
    assert _membership(org_admin).role_codes == {"org_admin"} and _membership(org_admin).is_active


def test_the_django_admin_cannot_delete_an_account(org, coordinator):
    root = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    client = client_for(root)
    assert client.get(f"/admin/auth/user/{coordinator.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [coordinator.pk], "post": "yes"},
    )
    assert get_user_model().objects.filter(pk=coordinator.pk).exists()
    assert response.status_code in (200, 302)
