"""Pages about a budget's broker: naming the broker on the account page, the broker's budgets."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from phb.constants import Role
from phb.exceptions import DomainError, InvalidInput
from phb.mixins import OrgViewMixin, form_errors_from
from phb.visibility import Data
from support_plans.models import SupportPlan

from . import broker_selectors as selectors
from .broker_forms import BrokerForm
from .broker_services import account_broker_assign
from .models import BudgetAccount
from .services import PAYMENT_ROLES


class AccountBrokerView(OrgViewMixin, FormView):
    """Name the budget's broker (commissioner, finance, PHB lead, team lead); back to the account page."""

    template_name = "payments/broker_form.html"
    form_class = BrokerForm
    model = SupportPlan
    data = Data.ACCOUNTS
    required_roles = set(selectors.BROKER_ASSIGNERS)

    def plan(self) -> SupportPlan:
        if not hasattr(self, "_plan"):
            self._plan = self.get_object()
        return self._plan

    def get_initial(self):
        account = (
            BudgetAccount.objects.for_org(self.organisation).filter(budget_id=self.plan().budget_id).first()
        )
        return {"broker": account.broker_id if account else None}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan()
        context.update(plan=plan, person=plan.person)
        return context

    def form_valid(self, form):
        broker = form.cleaned_data["broker"]
        try:
            account_broker_assign(
                actor=self.request.user,
                plan=self.plan(),
                broker=broker,
                actor_roles=self.org_context.roles,
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        name = (broker.get_full_name() or broker.username) if broker else None
        messages.success(
            self.request,
            f"{name} is the broker of this budget." if name else "The budget names no broker now.",
        )
        return redirect("payments:account", org=self.organisation.code, pk=self.plan().pk)


class BudgetListView(OrgViewMixin, TemplateView):
    """The broker's work list of budgets: overdue instalments first, then unfunded ones, with the days
    since approval. Others who handle money see every budget they reach, with the broker it names."""

    template_name = "payments/budgets.html"
    required_roles = {Role.BROKER, Role.FINANCE, Role.COMMISSIONER, *selectors.BROKER_ASSIGNERS}
    model = BudgetAccount
    data = Data.ACCOUNTS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = self.org_context.has_role(Role.BROKER) and self.request.GET.get("mine", "true") != "false"
        if mine:
            accounts = selectors.accounts_managed_by(user=self.request.user, organisation=self.organisation)
        else:
            accounts = self.visible(BudgetAccount.objects.for_org(self.organisation))
        rows = selectors.budget_rows(
            accounts=accounts, unfunded_only=self.request.GET.get("unfunded") == "true"
        )
        context.update(
            rows=rows,
            mine=mine,
            is_broker=self.org_context.has_role(Role.BROKER),
            can_pay=self.org_context.has_role(*PAYMENT_ROLES),
            due_soon_days=selectors.DUE_SOON_DAYS,
        )
        return context
