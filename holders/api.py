"""The budget holder's API (API.md "People who hold budgets"): `GET /api/v1/me/`, asking for a review,
and the plan as a PDF. Only their own budgets: another's id is a 404."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from phb import serializers
from phb.budget_holders import is_budget_holder
from support_plans.api import PDFRenderer, pdf_response

from . import selectors, services


class IsBudgetHolder(BasePermission):
    """A signed-in account that holds a person's budget. For any other account these endpoints do
    not exist (404), as staff endpoints do not exist for a budget holder; 401 when not signed in."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method the endpoint does not have is a 405 for anyone signed in
        if not is_budget_holder(request.user):
            raise NotFound("No such page.")
        return True


class HolderGoal(serializers.Serializer):
    description = serializers.CharField(help_text="The outcome, in the person's words")
    how_budget_helps = serializers.CharField()


class HolderItem(serializers.Serializer):
    description = serializers.CharField()
    category = serializers.CharField()
    supplier = serializers.CharField()
    amount = serializers.CharField(help_text="GBP, two decimals")
    frequency = serializers.CharField()
    how_often = serializers.CharField(help_text="The frequency in plain English")


class HolderCosts(serializers.Serializer):
    total = serializers.CharField()
    weekly = serializers.CharField()
    annual = serializers.CharField()


class HolderPlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    management = serializers.CharField()
    managed = serializers.CharField(help_text="How the budget is managed, in plain English")
    goals = HolderGoal(many=True)
    items = HolderItem(many=True)
    costs = HolderCosts()


class HolderInstalment(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.CharField()
    description = serializers.CharField()


class HolderAccountOutput(serializers.Serializer):
    approved = serializers.CharField()
    paid = serializers.CharField()
    balance = serializers.CharField()
    instalments = HolderInstalment(many=True, help_text="Payments coming, soonest first")


class HolderReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.CharField()
    due_on = serializers.DateField()
    held_on = serializers.DateField(allow_null=True)
    working = serializers.CharField()
    not_working = serializers.CharField()


class HolderBudgetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = HolderPlanOutput(allow_null=True)
    account = HolderAccountOutput(allow_null=True, help_text="Null until the plan is approved")
    reviews = HolderReviewOutput(many=True)
    next_review = HolderReviewOutput(allow_null=True)


class HolderPerson(serializers.Serializer):
    given_name = serializers.CharField()


class HolderMe(serializers.Serializer):
    person = HolderPerson()
    budgets = HolderBudgetOutput(many=True)


class HolderReviewRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_LIMIT, help_text="Why, in your own words")


class HolderReviewRequested(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    due_on = serializers.DateField()


class MeView(APIView):
    """Who the account is for, and each of their budgets: plan, money and reviews."""

    permission_classes = [IsAuthenticated, IsBudgetHolder]

    @extend_schema(responses=HolderMe)
    def get(self, request):
        return Response(HolderMe(selectors.me_view(request.user)).data)


class ReviewRequestView(APIView):
    """Ask for a review of one of your budgets: an `on_request` review is booked and your care
    coordinator is told. 409 before the plan is approved, or when one you asked for is still to come."""

    permission_classes = [IsAuthenticated, IsBudgetHolder]

    @extend_schema(request=HolderReviewRequest, responses={201: HolderReviewRequested})
    def post(self, request, pk: int):
        budget = selectors.budget_for_holder(request.user, pk)
        serializer = HolderReviewRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.holder_review_request(
            actor=request.user, budget=budget, reason=serializer.validated_data["reason"]
        )
        return Response(
            {
                "id": review.pk,
                "kind": review.kind,
                "status": review.status,
                "due_on": review.due_on.isoformat(),
            },
            status=status.HTTP_201_CREATED,
        )


class PlanPdfView(APIView):
    """Your plan as a PDF (the same plain-English copy the care coordinator prints). 404 before there
    is a plan to show."""

    permission_classes = [IsAuthenticated, IsBudgetHolder]
    renderer_classes = [PDFRenderer, JSONRenderer]

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        budget = selectors.budget_for_holder(request.user, pk)
        plan = selectors.plan_shown(budget)
        if plan is None:
            raise Http404("There is no plan to show yet.")
        return pdf_response(plan)
