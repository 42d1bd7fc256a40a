"""Suppliers and fast-track offers change and retire: retired ones leave planning, stay on plans."""

import pytest

from phb.models import AuditEvent
from support_plans.models import FastTrackOffer, Supplier
from tests.factories import FastTrackOfferFactory, PlanFactory, PlanItemFactory, SupplierFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/07T"


def test_an_offer_can_be_read_changed_and_retired(api, commissioner, coordinator, org):
    offer = FastTrackOfferFactory(organisation=org, name="Stay Connected")
    assert api(coordinator).get(f"{BASE}/fast-track-offers/{offer.pk}/").json()["name"] == "Stay Connected"
    changed = api(commissioner).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"amount": "135.00"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["amount"] == "135.00"
    retired = api(commissioner).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"active": False})
    assert retired.json()["active"] is False
    assert api(coordinator).get(f"{BASE}/fast-track-offers/").json()["count"] == 0
    assert [
        o["id"] for o in api(coordinator).get(f"{BASE}/fast-track-offers/?active=false").json()["results"]
    ] == [offer.pk]
    assert AuditEvent.objects.filter(action="fast_track_offer_changed").count() == 2
    assert FastTrackOffer.history.filter(id=offer.pk).count() == 3  # set up, changed, retired


def test_a_retired_offer_cannot_be_added_to_a_plan(api, commissioner, coordinator, org):
    offer = FastTrackOfferFactory(organisation=org)
    api(commissioner).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"active": False})
    plan = PlanFactory(organisation=org)
    response = api(coordinator).post(f"{BASE}/plans/{plan.pk}/fast-track/", {"offer": offer.pk})
    assert response.status_code == 400
    assert "offer" in response.json()


def test_a_retired_supplier_leaves_search_and_stays_on_the_plan(api, coordinator, commissioner, org):
    supplier = SupplierFactory(organisation=org, name="Hackney Swim Club")
    plan = PlanFactory(organisation=org)
    PlanItemFactory(plan=plan, organisation=org, supplier=supplier, supplier_name=supplier.name)
    response = api(coordinator).patch(f"{BASE}/suppliers/{supplier.pk}/", {"active": False})
    assert response.status_code == 200, response.content
    assert api(coordinator).get(f"{BASE}/suppliers/?search=swim").json()["count"] == 0
    assert api(coordinator).get(f"{BASE}/suppliers/?search=swim&active=all").json()["count"] == 1
    items = api(coordinator).get(f"{BASE}/plans/{plan.pk}/").json()["items"]
    assert supplier.pk in [item["supplier_id"] for item in items]
    assert Supplier.objects.get(pk=supplier.pk).is_active is False


def test_directory_changes_are_refused_plainly(api, coordinator, commissioner, org, other_org):
    offer = FastTrackOfferFactory(organisation=org)
    foreign = SupplierFactory(organisation=other_org)
    assert (
        api(coordinator).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"active": False}).status_code == 403
    )
    assert api(commissioner).patch(f"{BASE}/suppliers/{foreign.pk}/", {"active": False}).status_code == 404
    bad = api(commissioner).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"category": "yachts"})
    assert bad.status_code == 400 and "category" in bad.json()
    assert api(coordinator).get(f"{BASE}/suppliers/?active=maybe").status_code == 400
    assert api(None).patch(f"{BASE}/suppliers/{foreign.pk}/", {"active": False}).status_code == 401
    taken = SupplierFactory(organisation=org, name="Taken", service="Gym membership")
    other = SupplierFactory(organisation=org, name="Other", service="Gym membership")
    clash = api(coordinator).patch(f"{BASE}/suppliers/{other.pk}/", {"name": taken.name})
    assert clash.status_code == 400 and "name" in clash.json()


def test_an_unchanged_patch_writes_no_audit(api, commissioner, org):
    offer = FastTrackOfferFactory(organisation=org, name="Same")
    assert (
        api(commissioner).patch(f"{BASE}/fast-track-offers/{offer.pk}/", {"name": "Same"}).status_code == 200
    )
    assert not AuditEvent.objects.filter(action="fast_track_offer_changed").exists()


def test_the_offer_page_changes_and_retires_an_offer(client, commissioner, org):
    offer = FastTrackOfferFactory(organisation=org, name="Stay Connected")
    client.force_login(commissioner)
    url = f"/o/07T/fast-track/{offer.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Stay Connected"' in page.content.decode()
    response = client.post(url, {"retire": "1"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.is_active is False
    listing = client.get("/o/07T/fast-track/").content.decode()
    assert "Retired offers" in listing and "Stay Connected" in listing
    client.post(url, {"restore": "1"})
    offer.refresh_from_db()
    assert offer.is_active is True


def test_the_supplier_page_saves_a_change(client, coordinator, org):
    supplier = SupplierFactory(
        organisation=org, name="Art Shed", service="Art supplies", category="arts_crafts"
    )
    client.force_login(coordinator)
    url = f"/o/07T/suppliers/{supplier.pk}/edit/"
    response = client.post(
        url,
        {
            "name": "Art Shed Hackney",
            "service": "Art supplies",
            "category": "arts_crafts",
            "contact": "",
            "typical_amount": "30.00",
            "typical_frequency": "monthly",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    supplier.refresh_from_db()
    assert supplier.name == "Art Shed Hackney"


def test_a_care_coordinator_cannot_change_an_offer(client, coordinator, org):
    offer = FastTrackOfferFactory(organisation=org)
    client.force_login(coordinator)
    assert client.get(f"/o/07T/fast-track/{offer.pk}/edit/").status_code == 403
