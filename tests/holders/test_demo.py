"""The demo gives one budget holder login, printed with the others."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from phb.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_budget_holder_signs_in_and_sees_a_budget_with_its_plan():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "ch_budget_holder" in out.getvalue()
    client = Client()
    assert client.login(username="ch_budget_holder", password=DEMO_PASSWORD)
    me = client.get("/api/v1/me/").json()
    assert me["person"]["given_name"]
    assert any(budget["plan"] and budget["account"] for budget in me["budgets"])
    assert client.get("/o/07T/").status_code == 404
