"""The budget holder's pages under /my/: plan, money, reviews, the plan PDF and receipts.

Each page names a budget by id and fetches it through `selectors.budget_for_holder`: only the
budgets of the person the account was invited for; any other id is a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from phb.budget_holders import is_budget_holder
from phb.exceptions import DomainError, InvalidInput
from phb.mixins import form_errors_from
from reviews.services import REVIEWABLE_PLAN_STATUSES
from support_plans.api import pdf_response

from . import selectors, services
from .forms import ReceiptForm, ReviewRequestForm


def _navigation(budget_id: int) -> list[dict]:
    return [
        {"label": "My plan", "url": reverse("my-budget", kwargs={"pk": budget_id})},
        {"label": "My money", "url": reverse("my-money", kwargs={"pk": budget_id})},
        {"label": "My reviews", "url": reverse("my-reviews", kwargs={"pk": budget_id})},
    ]


class MyHomeView(LoginRequiredMixin, TemplateView):
    """/my/: straight to the plan when there is one budget; a choice when there are several."""

    template_name = "holders/home.html"

    def get(self, request, *args, **kwargs):
        if not is_budget_holder(request.user):
            raise Http404("No such page.")
        budgets = list(selectors.holder_budgets(request.user))
        if len(budgets) == 1:
            return redirect("my-budget", pk=budgets[0].pk)
        rows = [{"budget": budget, "plan": selectors.plan_shown(budget)} for budget in budgets]
        return self.render_to_response(self.get_context_data(rows=rows))


class BudgetMixin(LoginRequiredMixin):
    """A page about one of the holder's budgets."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.budget = selectors.budget_for_holder(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = selectors.budget_view(self.budget)
        context.update(
            budget=self.budget,
            person=self.budget.person,
            view=view,
            plan=view["plan"],
            account=view["account"],
            navigation=_navigation(self.budget.pk),
            direct_payment=bool(view["plan"]) and view["plan"]["management"] == "direct_payment",
        )
        return context


class MyPlanView(BudgetMixin, TemplateView):
    template_name = "holders/plan.html"


class MyMoneyView(BudgetMixin, TemplateView):
    template_name = "holders/money.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payments"] = list(selectors.payments_of(self.budget)[:50])
        return context


class MyReviewsView(BudgetMixin, FormView):
    """Reviews past and to come, goal attainment over time, and asking for a review."""

    template_name = "holders/reviews.html"
    form_class = ReviewRequestForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attainment = selectors.attainment(self.budget)
        context["chart"] = attainment["attainment_chart"]
        context["rows"] = attainment["attainments"]
        plan = context["plan"]
        context["can_request"] = bool(plan) and plan["status"] in REVIEWABLE_PLAN_STATUSES
        return context

    def form_valid(self, form):
        try:
            review = services.holder_review_request(
                actor=self.request.user, budget=self.budget, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"We have told your care coordinator. Your review is booked for {review.due_on:%-d %B %Y} "
            "and they will contact you.",
        )
        return redirect("my-reviews", pk=self.budget.pk)


class MyPlanPdfView(BudgetMixin, View):
    def get(self, request, *args, **kwargs):
        plan = selectors.plan_shown(self.budget)
        if plan is None:
            raise Http404("There is no plan to show yet.")
        return pdf_response(plan)


class MyReceiptView(BudgetMixin, FormView):
    """Add the receipt for one payment (direct payments)."""

    template_name = "holders/receipt.html"
    form_class = ReceiptForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payment"] = self.payment
        return context

    def get(self, request, *args, **kwargs):
        self.payment = selectors.payment_for_holder(self.budget, kwargs["entry"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.payment = selectors.payment_for_holder(self.budget, kwargs["entry"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.holder_receipt_attach(
                actor=self.request.user,
                budget=self.budget,
                entry=self.payment,
                receipt=form.cleaned_data["receipt"],
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you. We have your receipt.")
        return redirect("my-money", pk=self.budget.pk)
