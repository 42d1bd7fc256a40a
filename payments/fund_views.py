"""Fund pages: the funds of the organisation, setting one up, a fund's figures and chart, its changes."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from phb.exceptions import DomainError, InvalidInput
from phb.mixins import OrgViewMixin, form_errors_from
from phb.visibility import Data
from support_plans.models import SupportPlan

from . import fund_selectors as selectors
from . import fund_services as services
from .fund_api import CHANGE_ROLES, VIEW_ROLES
from .fund_forms import FundAdjustForm, FundCloseForm, FundForm, ReleaseFromFundForm
from .models import Fund
from .selectors import account_for_plan


class FundListView(OrgViewMixin, TemplateView):
    """Every fund of the organisation with its figures for the year."""

    template_name = "payments/fund_list.html"
    model = Fund
    data = Data.ACCOUNTS
    required_roles = VIEW_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["funds"] = [
            {"fund": fund, **selectors.fund_figures(fund, today)}
            for fund in selectors.fund_list(organisation=self.organisation)
        ]
        context["can_change"] = self.org_context.has_role(*CHANGE_ROLES)
        return context


class FundCreateView(OrgViewMixin, FormView):
    template_name = "payments/fund_form.html"
    form_class = FundForm
    model = Fund
    data = Data.ACCOUNTS
    required_roles = CHANGE_ROLES

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            fund = services.fund_create(
                actor=self.request.user,
                organisation=self.organisation,
                name=data["name"],
                financial_year=data["financial_year"],
                amount=data["amount"],
                held_by=data["held_by"],
                cohorts=data["cohorts"],
                teams=list(data["teams"]),
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Fund {fund} set up: approvals in {fund.financial_year} draw on it at once."
        )
        return redirect("payments:fund-detail", org=self.organisation.code, pk=fund.pk)


class _FundMixin(OrgViewMixin):
    model = Fund

    def get_queryset(self):
        return selectors.fund_list(organisation=self.organisation)

    def fund(self) -> Fund:
        if not hasattr(self, "_fund"):
            self._fund = self.get_object()
        return self._fund


class FundDetailView(_FundMixin, TemplateView):
    """A fund: allocated, committed, released, paid, remaining; its outlook, chart and entries."""

    data = Data.ACCOUNTS

    template_name = "payments/fund_detail.html"
    required_roles = VIEW_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = self.fund()
        figures = selectors.fund_figures(fund)
        context.update(
            fund=fund,
            figures=figures,
            cards=[
                ("Allocated", figures["allocated"]),
                ("Committed", figures["committed"]),
                ("Released", figures["released"]),
                ("Paid", figures["paid"]),
                ("Remaining", figures["remaining"]),
            ],
            outlook=figures["outlook"],
            chart=selectors.fund_chart(fund),
            entries=list(selectors.fund_entries(fund)),
            can_change=self.org_context.has_role(*CHANGE_ROLES) and fund.status == "open",
        )
        if context["can_change"]:
            context["adjust_form"] = FundAdjustForm(organisation=self.organisation)
        return context


class _FundFormView(_FundMixin, FormView):
    required_roles = CHANGE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fund"] = self.fund()
        return context

    def form_valid(self, form):
        fund = self.fund()
        try:
            message = self.change(fund, form.cleaned_data)
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect("payments:fund-detail", org=self.organisation.code, pk=fund.pk)

    def change(self, fund: Fund, data: dict) -> str:
        raise NotImplementedError


class FundAdjustView(_FundFormView):
    data = Data.ACCOUNTS
    template_name = "payments/fund_change.html"
    form_class = FundAdjustForm
    extra_context = {"title": "Top up or reduce the fund", "button": "Save the change"}

    def change(self, fund, data):
        entry = services.fund_adjust(actor=self.request.user, fund=fund, **data)
        return f"{entry.get_kind_display()} of £{entry.amount:,.2f} recorded (version {entry.version})."


class FundCloseView(_FundFormView):
    data = Data.ACCOUNTS
    template_name = "payments/fund_change.html"
    form_class = FundCloseForm
    extra_context = {"title": "Close the fund", "button": "Close the fund"}

    def change(self, fund, data):
        services.fund_close(actor=self.request.user, fund=fund)
        return f"Fund {fund} closed."


class ReleaseWaitingFromFundView(OrgViewMixin, FormView):
    """A plan approved while no fund had room (since topped up, say): release its money from a fund now."""

    template_name = "payments/release_from_fund.html"
    form_class = ReleaseFromFundForm
    model = SupportPlan
    data = Data.ACCOUNTS
    required_roles = CHANGE_ROLES

    def plan(self) -> SupportPlan:
        if not hasattr(self, "_plan"):
            self._plan = self.get_object()
        return self._plan

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan()
        context.update(plan=plan, person=plan.person, account=account_for_plan(plan=plan))
        return context

    def form_valid(self, form):
        plan = self.plan()
        try:
            commitment = services.fund_release_waiting(actor=self.request.user, plan=plan)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Release of funds of £{commitment.amount:,.2f} from the fund {commitment.fund} recorded.",
        )
        return redirect("payments:account", org=self.organisation.code, pk=plan.pk)
