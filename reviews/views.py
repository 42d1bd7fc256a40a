"""Pages of the reviews app: the reviews worklist, completing and requesting a review, the review policy."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from phb.access import PERSON_DATA_ROLES
from phb.exceptions import InvalidInput
from phb.mixins import OrgViewMixin, WithdrawScheduledVersionView, form_errors_from
from phb.visibility import Data
from support_plans.models import SupportPlan

from . import selectors, services
from .api import POLICY_ROLES, REVIEW_ROLES
from .constants import ReviewDecision, ReviewStatus
from .forms import ReviewCompleteForm, ReviewPolicyForm, ReviewRequestForm
from .models import Review, ReviewPolicy


class ReviewListView(OrgViewMixin, TemplateView):
    """Overdue and due-this-week reviews of the plans I coordinate, and my team's for a team lead."""

    template_name = "reviews/list.html"
    model = Review
    data = Data.REVIEWS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            selectors.review_worklists(
                organisation=self.organisation, user=self.request.user, org_context=self.org_context
            )
        )
        context["can_set_policy"] = self.org_context.has_role(*POLICY_ROLES)
        return context


class ReviewCompleteView(OrgViewMixin, FormView):
    """Record a held review: what is working, outcome measures, goal attainment, the decision."""

    template_name = "reviews/review_complete.html"
    form_class = ReviewCompleteForm
    model = Review
    data = Data.REVIEWS
    required_roles = REVIEW_ROLES

    def get_review(self) -> Review:
        if not hasattr(self, "review"):
            self.review = self.get_object(
                Review.objects.for_org(self.organisation).select_related("person", "plan", "budget")
            )
        return self.review

    def get(self, request, *args, **kwargs):
        self.get_review()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.get_review().status != ReviewStatus.SCHEDULED:
            messages.error(request, "This review has already been recorded.")
            return redirect("reviews:review-complete", org=self.organisation.code, pk=self.review.pk)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["goals"] = list(self.get_review().plan.goals.all())
        return kwargs

    def get_initial(self):
        return {"held_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.get_review()
        context["review"] = review
        context["completed"] = review.status != ReviewStatus.SCHEDULED
        if context["completed"]:
            context["measures"] = review.measures.all()
            context["attainments"] = review.goal_attainments.select_related("goal")
        # How each goal has gone at the reviews so far, beside the boxes for this one.
        context["goals_over_time"] = selectors.goal_attainment_over_time(review.person)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = services.review_complete(
                actor=self.request.user,
                review=self.review,
                held_on=data["held_on"],
                measures=data["measures"],
                goals=data["goals"],
                decision=data["decision"],
                notes=data["notes"],
                working=data["working"],
                not_working=data["not_working"],
                close_reason=data["close_reason"] or None,
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        outcome = {
            ReviewDecision.CONTINUE: "The plan continues and the next review is in the diary.",
            ReviewDecision.REVISE: "A new draft version of the support plan has been opened.",
            ReviewDecision.CLOSE: "The budget has been closed.",
        }[review.decision]
        messages.success(self.request, f"Review recorded for {review.person.full_name}. {outcome}")
        return redirect("person-detail", org=self.organisation.code, pk=review.person_id)


class ReviewRequestView(OrgViewMixin, FormView):
    """Book a review the person, a carer or staff asked for (pk: the support plan)."""

    template_name = "reviews/review_request.html"
    form_class = ReviewRequestForm
    model = SupportPlan
    data = Data.REVIEWS
    required_roles = REVIEW_ROLES

    def get_plan(self) -> SupportPlan:
        if not hasattr(self, "plan"):
            self.plan = self.get_object(
                SupportPlan.objects.for_org(self.organisation).select_related("person")
            )
        return self.plan

    def get(self, request, *args, **kwargs):
        self.get_plan()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_plan()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.get_plan()
        return context

    def form_valid(self, form):
        try:
            review = services.review_request(
                actor=self.request.user,
                plan=self.plan,
                due_on=form.cleaned_data["due_on"],
                requested_by=form.cleaned_data["requested_by"],
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Review booked for {review.due_on:%-d %B %Y}.")
        return redirect("person-detail", org=self.organisation.code, pk=self.plan.person_id)


class ReviewPolicyView(OrgViewMixin, FormView):
    """The organisation's review policy: everyone may read it; commissioners and org admins set it."""

    template_name = "reviews/policy.html"
    form_class = ReviewPolicyForm
    model = ReviewPolicy
    data = Data.POLICY
    required_roles = {"GET": PERSON_DATA_ROLES | {"region_viewer"}, "POST": POLICY_ROLES}

    def get_initial(self):
        policy = services.review_policy_get(self.organisation)
        return {name: getattr(policy, name) for name in services.POLICY_FIELDS}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policy"] = services.review_policy_get(self.organisation)
        context["scheduled"] = services.review_policies_scheduled(self.organisation)
        context["can_edit"] = self.org_context.has_role(*POLICY_ROLES)
        return context

    def form_valid(self, form):
        if not self.org_context.has_role(*POLICY_ROLES):
            raise PermissionDenied
        data = dict(form.cleaned_data)
        effective_on = data.pop("effective_from", None)
        current = services.review_policy_get(self.organisation)
        if effective_on is None and current.pk and all(getattr(current, k) == v for k, v in data.items()):
            messages.success(self.request, "Nothing was changed: the review policy in force stays as it is.")
            return redirect("reviews:policy", org=self.organisation.code)
        try:
            policy = services.review_policy_update(
                actor=self.request.user, organisation=self.organisation, effective_on=effective_on, **data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        if policy.effective_from > timezone.now():
            when = timezone.localtime(policy.effective_from)
            messages.success(
                self.request,
                f"Review policy version {policy.version} will be in force from {when:%-d %B %Y}.",
            )
        else:
            messages.success(self.request, "Review policy saved.")
        return redirect("reviews:policy", org=self.organisation.code)


class ReviewPolicyWithdrawView(WithdrawScheduledVersionView):
    """Withdraw a review policy version scheduled for a later date, before it starts."""

    model = ReviewPolicy
    required_roles = POLICY_ROLES
    versions_page = "reviews:policy"
    what = "Review policy version"

    def withdraw(self, version) -> None:
        services.review_policy_withdraw(actor=self.request.user, policy=version)
