"""The budget account API: the account, release of funds, payments, reversals, the finance export."""

import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from phb import dates, query, serializers
from phb.access_log import AccessKind, access_record, export_record
from phb.api import MoneyField, OrgScopedMixin
from phb.bad_input import JSONParser, MultiPartParserWithLimits
from phb.constants import Role
from phb.exceptions import InvalidInput
from phb.visibility import Data
from support_plans.constants import PaymentMethod
from support_plans.models import Supplier, SupportPlan

from . import idempotency, selectors, services
from .broker_selectors import BROKER_ASSIGNERS, broker_candidates
from .broker_services import NOT_A_BROKER, account_broker_assign
from .constants import EntryKind
from .exports import payments_csv, period_from
from .models import BudgetAccount, Instalment, LedgerEntry
from .receipts import receipt_response

NO_ACCOUNT = "This plan has no budget account yet: it is opened when the plan is approved."
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000.00")
IDEMPOTENCY_HEADER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A new random value (a UUID) per write; a repeat with the same key and body gets the first answer.",
)


def amount_field(**kwargs):
    return MoneyField(min_value=MIN_AMOUNT, max_value=MAX_AMOUNT, **kwargs)


def past_date_field(**kwargs):
    return serializers.DateField(validators=[dates.validator(label="The date", kind=dates.PAST)], **kwargs)


# --- Serializers


class LedgerEntrySerializer(serializers.Serializer):
    """Documents `selectors.entry_data`, the shape every write answers with."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    amount = MoneyField()
    entry_date = serializers.DateField()
    method = serializers.CharField()
    payee = serializers.CharField()
    reference = serializers.CharField()
    reason = serializers.CharField()
    reverses = serializers.IntegerField(allow_null=True)
    instalment = serializers.IntegerField(allow_null=True)
    supplier = serializers.IntegerField(allow_null=True)
    receipt = serializers.BooleanField()
    receipt_content_type = serializers.CharField()
    receipt_url = serializers.CharField(
        allow_null=True, help_text="Where the receipt downloads, if there is one"
    )
    plan = serializers.IntegerField()
    fund = serializers.IntegerField(allow_null=True, help_text="The fund a release at approval came from")
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class InstalmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    item = serializers.IntegerField()
    description = serializers.CharField()
    due_on = serializers.DateField()
    amount = MoneyField()
    status = serializers.ChoiceField(choices=["due", "overdue", "paid", "cancelled"])


class BrokerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AccountSerializer(serializers.Serializer):
    """Documents `selectors.account_detail`."""

    id = serializers.IntegerField()
    budget = serializers.IntegerField()
    plan = serializers.IntegerField()
    broker = BrokerSerializer(allow_null=True, help_text="The broker who manages this budget; null: none yet")
    approved = MoneyField()
    released = MoneyField()
    paid = MoneyField()
    balance = MoneyField()
    opened_at = serializers.DateTimeField()
    closed_on = serializers.DateField(allow_null=True)
    first_released_at = serializers.DateTimeField(allow_null=True)
    first_paid_at = serializers.DateTimeField(allow_null=True)
    approval_to_release_days = serializers.IntegerField(allow_null=True)
    approval_to_first_payment_days = serializers.IntegerField(allow_null=True)
    entries = LedgerEntrySerializer(many=True)
    instalments = InstalmentSerializer(many=True)
    unmatched_instalments = InstalmentSerializer(
        many=True, help_text="Instalments due by today that no payment has settled yet"
    )


class AccountBrokerSerializer(serializers.Serializer):
    broker = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The user id of a member with the broker role; null: the budget names no broker",
    )


class ReleaseSerializer(serializers.Serializer):
    amount = amount_field()
    released_on = past_date_field()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PaymentSerializer(serializers.Serializer):
    amount = amount_field()
    paid_on = past_date_field()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    payee = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    instalment = serializers.IntegerField(required=False, allow_null=True, default=None)
    supplier = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="A supplier of the organisation; a due instalment of this amount for it is marked paid",
    )


class PaymentWithReceiptSerializer(PaymentSerializer):
    """The same payment sent as multipart/form-data, with the receipt file."""

    receipt = serializers.FileField(required=False, allow_null=True, default=None, use_url=False)


class RefundSerializer(serializers.Serializer):
    amount = amount_field()
    refunded_on = past_date_field(required=False)
    reason = serializers.CharField(max_length=2000)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ClawbackSerializer(serializers.Serializer):
    amount = amount_field()
    clawed_back_on = past_date_field(required=False)
    reason = serializers.CharField(max_length=2000)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CorrectionSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text="The id of the ledger entry this one reverses")
    amount = amount_field()
    reason = serializers.CharField(max_length=2000)
    corrected_on = past_date_field(required=False)


class PaymentLineSerializer(serializers.Serializer):
    """Documents `selectors.payment_line_data`: one line of the finance export (refunds negative)."""

    id = serializers.IntegerField()
    entry_date = serializers.DateField()
    organisation = serializers.CharField()
    nhs_number = serializers.CharField()
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    plan = serializers.IntegerField()
    budget = serializers.IntegerField()
    kind = serializers.CharField()
    method = serializers.CharField()
    payee = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.CharField()
    reverses = serializers.IntegerField(allow_null=True)


class UnfundedSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    plan = serializers.IntegerField()
    budget = serializers.IntegerField()
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    approved = MoneyField()
    approved_on = serializers.DateField()
    days_waiting = serializers.IntegerField()
    over_limit = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why no fund released it at approval, when one was tried")


# --- The account


class AccountView(OrgScopedMixin, generics.GenericAPIView):
    """The budget account of a plan's budget: totals, ledger, instalments, approval-to-money delays."""

    model = SupportPlan
    data = Data.ACCOUNTS
    serializer_class = AccountSerializer
    # PATCH names the budget's broker: commissioner, finance, PHB lead, team lead.
    required_roles = {"PATCH": set(BROKER_ASSIGNERS)}

    def get_serializer_class(self):
        return AccountBrokerSerializer if self.request.method == "PATCH" else AccountSerializer

    @extend_schema(request=AccountBrokerSerializer, responses={200: AccountSerializer})
    def patch(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = AccountBrokerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        broker_id = serializer.validated_data["broker"]
        broker = None
        if broker_id is not None:
            broker = broker_candidates(organisation=self.organisation).filter(pk=broker_id).first()
            if broker is None:
                raise InvalidInput(broker=[NOT_A_BROKER])
        account_broker_assign(
            actor=request.user, plan=plan, broker=broker, actor_roles=self.org_context.roles
        )
        account = selectors.account_for_plan(plan=plan)
        return Response(selectors.account_detail(account, self.organisation.code))

    @extend_schema(responses={200: AccountSerializer})
    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        account = selectors.account_for_plan(plan=plan)
        if account is None:
            raise NotFound(NO_ACCOUNT)
        access_record(
            actor=request.user,
            organisation=self.organisation,
            what=AccessKind.ACCOUNT,
            obj=plan,
            person=plan.person,
            channel="api",
            detail="budget account",
        )
        return Response(selectors.account_detail(account, self.organisation.code))


class _EntryView(OrgScopedMixin, generics.GenericAPIView):
    """GET: the account's entries of one kind. POST: record one (the plan is fetched first, then roles)."""

    model = SupportPlan
    data = Data.ACCOUNTS
    kind: str = ""
    write_roles: tuple[str, ...] = ()
    key_required = False

    def get_serializer_class(self):
        return self.serializer_class if self.request.method == "POST" else LedgerEntrySerializer

    def get_queryset(self):
        # The services scope their writes by the plan's organisation: read it with the plan.
        return SupportPlan.objects.for_org(self.organisation).select_related("organisation")

    def actor_roles(self) -> set[str]:
        """The roles of the user's membership, as the organisation context read them for this request."""
        membership = self.org_context.membership
        return membership.role_codes if membership is not None else set()

    def get(self, request, *args, **kwargs):
        plan = self.get_object()
        account = selectors.account_for_plan(plan=plan)
        entries = [] if account is None else list(selectors.account_entries(account).filter(kind=self.kind))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response([selectors.entry_data(e, self.organisation.code) for e in page])

    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        self.require_role(*self.write_roles)
        key = idempotency.key_from_request(request, required=self.key_required)
        serializer = self.get_serializer_class()(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = self.record(plan, dict(serializer.validated_data), key)
        return Response(selectors.entry_data(entry, self.organisation.code), status=status.HTTP_201_CREATED)

    def record(self, plan: SupportPlan, data: dict, key: str | None) -> LedgerEntry:
        raise NotImplementedError


class ReleaseView(_EntryView):
    """Finance or a commissioner releases agreed funding to the budget (the first makes the plan active)."""

    serializer_class = ReleaseSerializer
    kind = EntryKind.RELEASE
    write_roles = services.RELEASE_ROLES

    @extend_schema(responses={200: LedgerEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ReleaseSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: LedgerEntrySerializer}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def record(self, plan, data, key):
        return services.release_record(
            actor=self.request.user, plan=plan, idempotency_key=key, actor_roles=self.actor_roles(), **data
        )


class PaymentView(_EntryView):
    """A broker or finance records a payment; needs an Idempotency-Key; never beyond the approved amount."""

    input_rules = {
        "instalment": "the id of a due instalment of this plan",
        "supplier": "the id of a supplier of this organisation",
    }

    serializer_class = PaymentSerializer
    kind = EntryKind.PAYMENT
    write_roles = services.PAYMENT_ROLES
    key_required = True
    # JSON, or multipart when a receipt is attached: the one upload of the pathway.
    parser_classes = [JSONParser, MultiPartParserWithLimits]

    def get_serializer_class(self):
        if self.request.method == "POST" and self.request.content_type.startswith("multipart/"):
            return PaymentWithReceiptSerializer
        return super().get_serializer_class()

    @extend_schema(responses={200: LedgerEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"application/json": PaymentSerializer, "multipart/form-data": PaymentWithReceiptSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: LedgerEntrySerializer},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def record(self, plan, data, key):
        instalment_id = data.pop("instalment", None)
        instalment = None
        if instalment_id is not None:
            instalment = Instalment.objects.for_org(self.organisation).filter(pk=instalment_id).first()
            if instalment is None:
                raise InvalidInput(instalment=["No such instalment on this budget account."])
        supplier_id = data.pop("supplier", None)
        supplier = None
        if supplier_id is not None:
            supplier = Supplier.objects.for_org(self.organisation).filter(pk=supplier_id).first()
            if supplier is None:
                raise InvalidInput(supplier=["No such supplier in this organisation."])
        return services.payment_record(
            actor=self.request.user,
            plan=plan,
            idempotency_key=key,
            instalment=instalment,
            supplier=supplier,
            actor_roles=self.actor_roles(),
            **data,
        )


class RefundView(_EntryView):
    """Money paid out that came back to the budget (finance, commissioner); reduces what has been paid."""

    serializer_class = RefundSerializer
    kind = EntryKind.REFUND
    write_roles = services.REVERSAL_ROLES

    @extend_schema(responses={200: LedgerEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RefundSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: LedgerEntrySerializer}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def record(self, plan, data, key):
        data.setdefault("refunded_on", timezone.localdate())
        return services.refund_record(actor=self.request.user, plan=plan, idempotency_key=key, **data)


class ClawbackView(_EntryView):
    """Released funds recovered by the organisation (finance, commissioner); reduces what has been released."""

    serializer_class = ClawbackSerializer
    kind = EntryKind.CLAWBACK
    write_roles = services.REVERSAL_ROLES

    @extend_schema(responses={200: LedgerEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ClawbackSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: LedgerEntrySerializer}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def record(self, plan, data, key):
        data.setdefault("clawed_back_on", timezone.localdate())
        return services.clawback_record(actor=self.request.user, plan=plan, idempotency_key=key, **data)


class CorrectionView(_EntryView):
    """Finance reverses (part of) an earlier entry made in error, with a reason."""

    input_rules = {"entry": "the id of a ledger entry of this plan"}

    serializer_class = CorrectionSerializer
    kind = EntryKind.CORRECTION
    write_roles = services.CORRECTION_ROLES

    @extend_schema(responses={200: LedgerEntrySerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CorrectionSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: LedgerEntrySerializer}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def record(self, plan, data, key):
        original = (
            LedgerEntry.objects.for_org(self.organisation)
            .filter(pk=data.pop("entry"), account__budget_id=plan.budget_id)
            .first()
        )
        if original is None:
            raise InvalidInput(entry=["No such entry on this budget account."])
        return services.correction_record(
            actor=self.request.user, entry=original, idempotency_key=key, **data
        )


# --- Lists: the finance export, plans waiting for funds


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` through DRF's content negotiation; the view writes the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data)


class PaymentListView(OrgScopedMixin, generics.GenericAPIView):
    """Payments (and refunds, as negative lines) in a period, for the finance system; JSON or CSV.

    The CSV ends with a TOTAL line: the net paid out in the period, which reconciles to the ledger.
    """

    model = LedgerEntry
    data = Data.ACCOUNTS
    required_roles = {Role.FINANCE, Role.COMMISSIONER, Role.BROKER}
    serializer_class = PaymentLineSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period"),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={200: PaymentLineSerializer(many=True), (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, *args, **kwargs):
        for name in ("from", "to"):
            query.given(request.query_params, name)
        start, end = period_from(request.query_params)
        entries = self.visible(selectors.payment_lines(organisation=self.organisation, start=start, end=end))
        total = selectors.payments_total(entries)
        if request.accepted_renderer.format == "csv":
            lines = [selectors.payment_line_data(e) for e in entries.iterator(chunk_size=2000)]
            self.log_export(lines, start, end, "CSV")
            name = f"payments-{self.organisation.code}-{start or 'start'}-{end or timezone.localdate()}.csv"
            return HttpResponse(
                payments_csv(lines, total),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        page = self.paginate_queryset(entries)
        lines = [selectors.payment_line_data(e) for e in page]
        self.log_export(lines, start, end, "JSON")
        response = self.get_paginated_response(lines)
        response.data["total"] = f"{total:.2f}"
        return response

    def log_export(self, lines: list[dict], start, end, form: str) -> None:
        """The lines name people (NHS number, name): each person in them is logged."""
        export_record(
            actor=self.request.user,
            organisation=self.organisation,
            what=AccessKind.PAYMENTS_EXPORT,
            person_ids=[line["person"] for line in lines],
            channel="api",
            detail=f"payments {start or 'start'} to {end or 'today'} ({form})",
        )


class UnfundedListView(OrgScopedMixin, generics.GenericAPIView):
    """Approved plans with no funds released yet, oldest approval first, with days waiting."""

    model = BudgetAccount
    data = Data.ACCOUNTS
    required_roles = {Role.FINANCE, Role.COMMISSIONER, Role.BROKER}
    serializer_class = UnfundedSerializer

    @extend_schema(responses={200: UnfundedSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        rows = selectors.unfunded_rows(
            organisation=self.organisation,
            accounts=self.visible(BudgetAccount.objects.for_org(self.organisation)),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([selectors.unfunded_data(r) for r in page])


class ReceiptDownloadView(OrgScopedMixin, generics.GenericAPIView):
    """A payment's receipt, as a download (never shown inline), for those who may see the account."""

    model = LedgerEntry
    data = Data.ACCOUNTS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, *args, **kwargs):
        entry = selectors.entry_with_receipt(
            organisation=self.organisation, entry_id=kwargs["pk"], context=self.org_context
        )
        return receipt_response(entry)
