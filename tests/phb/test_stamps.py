"""Who wrote a row (`created_by`, `modified_by`): attribution without a database constraint
(phb/models/base.py), so it must never point at a user who is not there."""

import pytest
from django.db.models import ProtectedError

from phb.audit import record_event
from phb.models import Person
from tests.factories.kernel import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_user_who_wrote_rows_but_did_nothing_audited_clears_their_stamps(org):
    user = UserFactory()
    person = PersonFactory(organisation=org, created_by=user, modified_by=user)
    user_id = user.pk

    user.delete()

    person.refresh_from_db()
    assert (person.created_by_id, person.modified_by_id) == (None, None)
    assert not Person.objects.filter(created_by_id=user_id).exists()


def test_a_user_the_audit_trail_names_cannot_be_deleted(org):
    user = UserFactory()
    person = PersonFactory(organisation=org, created_by=user, modified_by=user)
    record_event(
        actor=user, organisation=org, obj=person, person=person, action="person_created", summary="x"
    )

    with pytest.raises(ProtectedError):
        user.delete()
    person.refresh_from_db()
    assert person.created_by_id == user.pk
