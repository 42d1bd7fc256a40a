"""A business on two organisations' directories with a login on both, and another supplier with its own."""

import pytest

from phb.constants import Role
from tests.factories import SupplierFactory, member, pay_supplier, provider_login, supplier_budget


@pytest.fixture
def world(org, other_org, person):
    leisure_here = SupplierFactory(organisation=org, name="Better Leisure Centre")
    leisure_there = SupplierFactory(organisation=other_org, name="Better Leisure Centre")
    cycles = SupplierFactory(organisation=org, name="Access Cycles", service="Adapted bicycles")
    here = supplier_budget(org, leisure_here)
    there = supplier_budget(other_org, leisure_there, amount="55.00")
    bikes = supplier_budget(org, cycles, amount="980.00", frequency="one_off", months=1)
    return {
        "leisure_here": leisure_here,
        "leisure_there": leisure_there,
        "cycles": cycles,
        "here": here,
        "there": there,
        "bikes": bikes,
        "paid_here": pay_supplier(here, leisure_here, reference="BLC-0001", days_ago=3),
        "paid_there": pay_supplier(there, leisure_there, amount="55.00", reference="BLC-0002"),
        "paid_bikes": pay_supplier(bikes, cycles, amount="980.00", reference="CYC-SECRET"),
        "provider": provider_login(leisure_here, leisure_there),
        "cycles_provider": provider_login(cycles, username="cycles"),
        "broker": member(org, Role.BROKER, username="broker"),
    }
