"""The provider's API (what organisations paid or owe its suppliers) and the org admin's logins of a supplier."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from payments.exports import period_from
from payments.models import Instalment, LedgerEntry
from phb import query, serializers
from phb.api import OrgScopedMixin
from phb.constants import Role
from phb.visibility import Data
from support_plans.models import Supplier

from . import selectors, services
from .constants import InstalmentFilter


class IsProvider(BasePermission):
    """A provider's login only: for anyone else (staff included) these addresses do not exist."""

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # a method the endpoint does not have is a 405 for anyone signed in
        if not selectors.is_provider_account(request.user):
            raise Http404("No such page.")
        return True


class _OrganisationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _SupplierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    service = serializers.CharField()


class ProviderPaymentSerializer(serializers.Serializer):
    """Documents `selectors.payment_line`."""

    id = serializers.IntegerField()
    organisation = _OrganisationSerializer()
    supplier = _SupplierSerializer()
    kind = serializers.CharField(help_text="payment, or a correction that reverses one")
    paid_on = serializers.DateField()
    amount = serializers.CharField(help_text="Pounds, two decimals; a correction is negative")
    reference = serializers.CharField(help_text="The payment reference the organisation recorded")
    plan_reference = serializers.CharField(help_text="The budget the payment came from, to quote back")
    reverses = serializers.IntegerField(allow_null=True, help_text="The payment a correction reverses")


class ProviderInstalmentSerializer(serializers.Serializer):
    """Documents `selectors.instalment_line`."""

    id = serializers.IntegerField()
    organisation = _OrganisationSerializer()
    supplier = _SupplierSerializer()
    due_on = serializers.DateField()
    amount = serializers.CharField()
    status = serializers.CharField(help_text="due, overdue, paid or cancelled")
    plan_reference = serializers.CharField()


ORGANISATION = OpenApiParameter("organisation", OpenApiTypes.STR, description="An organisation's code")
SUPPLIER = OpenApiParameter("supplier", OpenApiTypes.INT, description="One of your suppliers' ids")


def _supplier_param(params) -> int | None:
    raw = query.given(params, "supplier")
    if raw is None:
        return None
    if not raw.isdecimal() or not 1 <= int(raw) <= 2**31 - 1:
        raise ValidationError({"supplier": ["Give a supplier's id (a whole number)."]})
    return int(raw)


def _organisation_param(params) -> str:
    raw = query.given(params, "organisation") or ""
    if len(raw) > 20:
        raise ValidationError({"organisation": ["Give an organisation's code."]})
    return raw


class ProviderPaymentListView(generics.ListAPIView):
    """What organisations paid this login's suppliers (payments recorded with the supplier), newest first."""

    permission_classes = [IsAuthenticated, IsProvider]
    serializer_class = ProviderPaymentSerializer
    queryset = LedgerEntry.objects.none()  # the schema's; the rows are the selector's

    @extend_schema(
        parameters=[
            ORGANISATION,
            SUPPLIER,
            OpenApiParameter("from", OpenApiTypes.DATE, description="Paid on or after"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Paid on or before"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        params = request.query_params
        for name in ("from", "to"):
            query.given(params, name)
        start, end = period_from(params)
        entries = selectors.payments_to(
            request.user,
            organisation=_organisation_param(params),
            supplier=_supplier_param(params),
            start=start,
            end=end,
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response([selectors.payment_line(entry) for entry in page])


class ProviderInstalmentListView(generics.ListAPIView):
    """Instalments due (by default) on plan items of this login's suppliers, soonest first."""

    permission_classes = [IsAuthenticated, IsProvider]
    serializer_class = ProviderInstalmentSerializer
    queryset = Instalment.objects.none()

    @extend_schema(
        parameters=[
            ORGANISATION,
            SUPPLIER,
            OpenApiParameter("status", OpenApiTypes.STR, enum=InstalmentFilter.values, default="due"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        params = request.query_params
        wanted = query.given(params, "status") or InstalmentFilter.DUE
        if wanted not in InstalmentFilter.values:
            raise ValidationError({"status": [f"Use one of: {', '.join(InstalmentFilter.values)}."]})
        instalments = selectors.instalments_for(
            request.user,
            organisation=_organisation_param(params),
            supplier=_supplier_param(params),
            status=wanted,
        )
        page = self.paginate_queryset(instalments)
        return self.get_paginated_response([selectors.instalment_line(i) for i in page])


# --- The org admin's side: a supplier's logins


class ProviderLoginSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)


class SupplierLoginListView(OrgScopedMixin, generics.ListCreateAPIView):
    """The logins of a supplier of the directory; POST (org admin) creates one. A username already
    taken is a 409 that says nothing of its account."""

    model = Supplier
    data = Data.STAFF
    required_roles = {Role.ORG_ADMIN}
    serializer_class = ProviderLoginSerializer

    def list(self, request, *args, **kwargs):
        supplier = self.get_object()
        page = self.paginate_queryset(selectors.logins_of(supplier))
        return self.get_paginated_response(ProviderLoginSerializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        supplier = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.provider_login_create(
            actor=request.user, supplier=supplier, **serializer.validated_data
        )
        return Response(ProviderLoginSerializer(user).data, status=status.HTTP_201_CREATED)
