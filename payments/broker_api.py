"""GET budgets/: the budgets a member handles, for the broker's work list (`?mine=true`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from phb import query, serializers
from phb.api import MoneyField, OrgScopedMixin
from phb.constants import Role
from phb.visibility import Data

from . import broker_selectors as selectors
from .api import BrokerSerializer
from .models import BudgetAccount


class BudgetRowSerializer(serializers.Serializer):
    """Documents `broker_selectors.budget_row_data`."""

    id = serializers.IntegerField(help_text="The budget account")
    budget = serializers.IntegerField()
    plan = serializers.IntegerField(
        help_text="The approved plan version; its account is plans/{plan}/account/"
    )
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    broker = BrokerSerializer(allow_null=True)
    approved = MoneyField()
    released = MoneyField()
    paid = MoneyField()
    balance = MoneyField()
    approved_on = serializers.DateField()
    days_since_approval = serializers.IntegerField()
    unfunded = serializers.BooleanField(help_text="Approved, and no money released yet")
    instalments_overdue = serializers.IntegerField()
    instalments_due_soon = serializers.IntegerField(
        help_text=f"Due in the next {selectors.DUE_SOON_DAYS} days"
    )
    next_due_on = serializers.DateField(allow_null=True)


class BudgetListView(OrgScopedMixin, generics.GenericAPIView):
    """Open budgets, overdue instalments first, then unfunded ones: `?mine=true` those naming you as
    broker, `?unfunded=true` only those with no money released yet."""

    model = BudgetAccount
    data = Data.ACCOUNTS
    required_roles = {Role.BROKER, Role.FINANCE, Role.COMMISSIONER, *selectors.BROKER_ASSIGNERS}
    serializer_class = BudgetRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "mine", OpenApiTypes.BOOL, description="Only the budgets naming you as their broker"
            ),
            OpenApiParameter(
                "unfunded", OpenApiTypes.BOOL, description="Only approved budgets with no money released"
            ),
        ],
        responses={200: BudgetRowSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        mine = query.flag(request.query_params, "mine")
        unfunded = query.flag(request.query_params, "unfunded")
        if mine:
            accounts = selectors.accounts_managed_by(user=request.user, organisation=self.organisation)
        else:
            accounts = self.visible(BudgetAccount.objects.for_org(self.organisation))
        rows = selectors.budget_rows(accounts=accounts, unfunded_only=unfunded)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([selectors.budget_row_data(row) for row in page])
