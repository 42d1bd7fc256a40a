"""Payments pages: the work lists, the account page, recording a payment, release and reversals, the export."""

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from phb.access_log import AccessKind, access_record, export_record
from phb.constants import Role
from phb.exceptions import DomainError, InvalidInput
from phb.mixins import OrgViewMixin, form_errors_from
from phb.visibility import Data
from support_plans.models import SupportPlan

from . import selectors, services
from .broker_selectors import BROKER_ASSIGNERS
from .constants import InstalmentStatus
from .exports import payments_csv
from .forms import ClawbackForm, CorrectionForm, ExportForm, PaymentForm, RefundForm, ReleaseForm
from .fund_services import FUND_ROLES
from .models import BudgetAccount, Instalment, LedgerEntry
from .receipts import receipt_response

MONEY_ROLES = {Role.BROKER, Role.FINANCE, Role.COMMISSIONER}


class WorklistView(OrgViewMixin, TemplateView):
    """Brokers: instalments due and overdue. Finance and commissioners: approved plans waiting for funds."""

    template_name = "payments/worklist.html"
    required_roles = MONEY_ROLES
    model = BudgetAccount
    data = Data.ACCOUNTS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = self.org_context
        context["show_instalments"] = roles.has_role(Role.BROKER, Role.FINANCE)
        context["show_unfunded"] = roles.has_role(Role.FINANCE, Role.COMMISSIONER)
        if context["show_instalments"]:
            context["worklist"] = selectors.broker_worklist(
                organisation=self.organisation,
                instalments=self.visible(Instalment.objects.for_org(self.organisation)),
            )
        if context["show_unfunded"]:
            context["unfunded"] = selectors.unfunded_rows(
                organisation=self.organisation,
                accounts=self.visible(BudgetAccount.objects.for_org(self.organisation)),
            )
            context["unfunded_after_days"] = self.organisation.unfunded_after_days
        context["can_release"] = roles.has_role(*services.RELEASE_ROLES)
        context["can_export"] = roles.has_role(Role.FINANCE, Role.COMMISSIONER, Role.BROKER)
        context["is_broker"] = roles.has_role(Role.BROKER)
        return context


class _PlanAccountMixin:
    """Pages hanging off a plan: fetch the plan first (404 for another organisation), then its account."""

    model = SupportPlan
    data = Data.ACCOUNTS

    def load(self):
        if not hasattr(self, "plan"):
            self.plan = self.get_object()
            self.account = selectors.account_for_plan(plan=self.plan)
        return self.plan, self.account


class AccountView(_PlanAccountMixin, OrgViewMixin, TemplateView):
    """The budget account: approved, released, paid, balance; the delays; the ledger; the instalments."""

    template_name = "payments/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, account = self.load()
        access_record(
            actor=self.request.user,
            organisation=self.organisation,
            what=AccessKind.ACCOUNT,
            obj=plan,
            person=plan.person,
            detail="budget account",
        )
        roles = self.org_context
        context.update(plan=plan, account=account, person=plan.person)
        if account is None:
            return context
        entries = list(selectors.account_entries(account))
        instalments = list(selectors.account_instalments(account).select_related("item__supplier"))
        context.update(
            timings=selectors.account_timings(account),
            entries=entries,
            instalments=instalments,
            unmatched=selectors.unmatched_instalments(instalments),
            balance=account.approved - account.paid,
            figures=[
                ("Approved", account.approved),
                ("Released", account.released),
                ("Paid", account.paid),
                ("Balance", account.approved - account.paid),
            ],
            today=timezone.localdate(),
            can_pay=roles.has_role(*services.PAYMENT_ROLES),
            can_assign_broker=roles.has_role(*BROKER_ASSIGNERS),
        )
        if roles.has_role(*services.RELEASE_ROLES):
            context["release_form"] = ReleaseForm(initial={"amount": account.approved - account.released})
        # Approved while no fund had room: once one has (a top-up, say), release from it here.
        context["release_from_fund"] = (
            bool(account.no_fund_reason) and account.released == 0 and roles.has_role(*FUND_ROLES)
        )
        if roles.has_role(*services.REVERSAL_ROLES):
            context["refund_form"] = RefundForm()
            context["clawback_form"] = ClawbackForm()
        if roles.has_role(*services.CORRECTION_ROLES) and entries:
            context["correction_form"] = CorrectionForm(entries=entries)
        return context


class _MoneyFormView(_PlanAccountMixin, OrgViewMixin, FormView):
    """A money write from a page: the service does the work; its refusals are shown on the form."""

    template_name = "payments/entry_form.html"
    title = ""
    button = "Save"

    def get_form_kwargs(self):
        self.load()
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            plan=self.plan,
            account=self.account,
            person=self.plan.person,
            title=self.title,
            button=self.button,
        )
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        try:
            entry = self.record(data, key)
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.done(entry))
        return redirect("payments:account", org=self.organisation.code, pk=self.plan.pk)

    def record(self, data: dict, key: str) -> LedgerEntry:
        raise NotImplementedError

    def done(self, entry: LedgerEntry) -> str:
        return f"{entry.get_kind_display()} of £{entry.amount:,.2f} recorded."


class PaymentCreateView(_MoneyFormView):
    """Record a payment in a few clicks; from an instalment, the amount, payee and method are filled in."""

    template_name = "payments/payment_form.html"
    form_class = PaymentForm
    required_roles = services.PAYMENT_ROLES
    title = "Record a payment"
    button = "Record payment"

    def get_initial(self):
        initial = super().get_initial()
        instalment = self._instalment(self.request.GET.get("instalment"))
        if instalment is not None:
            item = instalment.item
            initial.update(
                instalment=instalment.pk,
                amount=instalment.amount,
                method=item.payment_method or "",
                payee=item.supplier_name or (item.supplier.name if item.supplier_id else ""),
                supplier=item.supplier_id,
                reference=f"{item.description} due {instalment.due_on:%d %b %Y}"[:100],
            )
        return initial

    def _instalment(self, value) -> Instalment | None:
        if not value or not str(value).isdecimal() or self.account is None:
            return None
        return (
            Instalment.objects.for_org(self.organisation)
            .filter(pk=int(value), account=self.account, status=InstalmentStatus.DUE)
            .select_related("item", "item__supplier")
            .first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instalment"] = self._instalment(self.request.GET.get("instalment"))
        if self.account is not None:
            context["balance"] = self.account.approved - self.account.paid
            context["unpaid_release"] = max(self.account.released - self.account.paid, Decimal("0.00"))
            context["paid_from_fund"] = selectors.paid_from_fund(self.account)
        return context

    def record(self, data, key):
        instalment_id = data.pop("instalment", None)
        instalment = None
        if instalment_id:
            instalment = Instalment.objects.for_org(self.organisation).filter(pk=instalment_id).first()
        return services.payment_record(
            actor=self.request.user,
            plan=self.plan,
            idempotency_key=key,
            instalment=instalment,
            receipt=data.pop("receipt") or None,
            **data,
        )

    def done(self, entry):
        return f"Payment of £{entry.amount:,.2f} to {entry.payee} recorded."


class ReleaseCreateView(_MoneyFormView):
    form_class = ReleaseForm
    required_roles = services.RELEASE_ROLES
    title = "Release funds"
    button = "Release funds"

    def get_initial(self):
        initial = super().get_initial()
        if self.account is not None:
            initial["amount"] = self.account.approved - self.account.released
        return initial

    def record(self, data, key):
        return services.release_record(actor=self.request.user, plan=self.plan, idempotency_key=key, **data)

    def done(self, entry):
        return f"Release of funds of £{entry.amount:,.2f} recorded."


class RefundCreateView(_MoneyFormView):
    form_class = RefundForm
    required_roles = services.REVERSAL_ROLES
    title = "Record a refund"
    button = "Record refund"

    def record(self, data, key):
        return services.refund_record(actor=self.request.user, plan=self.plan, idempotency_key=key, **data)


class ClawbackCreateView(_MoneyFormView):
    form_class = ClawbackForm
    required_roles = services.REVERSAL_ROLES
    title = "Record a clawback"
    button = "Record clawback"

    def record(self, data, key):
        return services.clawback_record(actor=self.request.user, plan=self.plan, idempotency_key=key, **data)


class CorrectionCreateView(_MoneyFormView):
    form_class = CorrectionForm
    required_roles = services.CORRECTION_ROLES
    title = "Correct an entry"
    button = "Record correction"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["entries"] = list(selectors.account_entries(self.account)) if self.account else []
        return kwargs

    def record(self, data, key):
        entry = (
            LedgerEntry.objects.for_org(self.organisation)
            .filter(pk=data.pop("entry"), account=self.account)
            .first()
        )
        if entry is None:
            raise InvalidInput(entry=["Choose an entry on this budget account."])
        return services.correction_record(actor=self.request.user, entry=entry, idempotency_key=key, **data)


class ExportView(OrgViewMixin, TemplateView):
    """Pick a period and download the payments CSV for the finance system."""

    template_name = "payments/export.html"
    required_roles = {Role.FINANCE, Role.COMMISSIONER, Role.BROKER}
    model = LedgerEntry
    data = Data.ACCOUNTS

    def get(self, request, *args, **kwargs):
        form = ExportForm(request.GET if "start" in request.GET else None)
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            lines_in_period = self.visible(
                selectors.payment_lines(organisation=self.organisation, start=start, end=end)
            )
            total = selectors.payments_total(lines_in_period)
            entries = list(lines_in_period)
            export_record(
                actor=request.user,
                organisation=self.organisation,
                what=AccessKind.PAYMENTS_EXPORT,
                person_ids=[entry.account.person_id for entry in entries],
                channel="web",
                detail=f"payments {start} to {end}{' (CSV download)' if request.GET.get('download') else ''}",
            )
            if request.GET.get("download"):
                lines = [selectors.payment_line_data(e) for e in entries]
                return HttpResponse(
                    payments_csv(lines, total),
                    content_type="text/csv; charset=utf-8",
                    headers={
                        "Content-Disposition": (
                            f'attachment; filename="payments-{self.organisation.code}-{start}-{end}.csv"'
                        )
                    },
                )
            return self.render_to_response(
                self.get_context_data(form=form, entries=entries, total=total, start=start, end=end)
            )
        return self.render_to_response(self.get_context_data(form=form))


class ReceiptDownloadView(OrgViewMixin, View):
    """A payment's receipt from the account page, as a download."""

    model = LedgerEntry
    data = Data.ACCOUNTS

    def get(self, request, *args, **kwargs):
        entry = selectors.entry_with_receipt(
            organisation=self.organisation, entry_id=kwargs["pk"], context=self.org_context
        )
        return receipt_response(entry)
