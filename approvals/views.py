"""Pages of the approvals app: the approver's queue, the decision page, the approval policy editor."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import TemplateView

from phb.access import PERSON_DATA_ROLES
from phb.constants import Role
from phb.exceptions import InvalidInput
from phb.mixins import OrgViewMixin, WithdrawScheduledVersionView, form_errors_from
from phb.selectors import ROLE_LABELS
from phb.visibility import Data, shows_case_summary
from support_plans import allocation_services
from support_plans.constants import SpendCategory

from . import policy as rules
from . import selectors, services, slots
from .api import preview
from .forms import (
    DecisionForm,
    EffectiveFromForm,
    PreviewForm,
    TierForm,
    TierFormSet,
    errors_onto_formset,
    tiers_from_formset,
)
from .models import ApprovalPolicy, ApprovalRequest

POLICY_EDITORS = {Role.COMMISSIONER, Role.ORG_ADMIN}
QUEUE_SHOWN = 50


class QueueView(OrgViewMixin, TemplateView):
    """'Waiting for me' (sign-offs I may give) and 'Waiting for my team', oldest first."""

    template_name = "approvals/queue.html"
    model = ApprovalRequest
    data = Data.APPROVALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tab = "team" if self.request.GET.get("tab") == "team" else "me"
        if tab == "me":
            requests = selectors.requests_waiting_for(
                organisation=self.organisation, user=self.request.user, roles=self.org_context.roles
            )
        else:
            requests = selectors.requests_waiting_for_team(
                organisation=self.organisation, membership=self.org_context.membership
            )
        requests = self.visible(requests)
        # The oldest come first and are the ones to act on; the count says how many more there are.
        context["tab"] = tab
        context["case_summary"] = shows_case_summary(self.org_context)
        context["total"] = requests.count()
        context["rows"] = selectors.queue_rows(
            requests[:QUEUE_SHOWN], stale_after_days=self.organisation.stale_approval_days
        )
        context["stale_after_days"] = self.organisation.stale_approval_days
        context["can_edit_policy"] = self.org_context.has_role(*POLICY_EDITORS)
        return context


class DecisionView(OrgViewMixin, TemplateView):
    """A request with the plan it judges (goals, items, costs, funding, risks), its tier and why,
    who has signed, the history, and the decision form for someone who may act."""

    template_name = "approvals/decision.html"
    model = ApprovalRequest
    data = Data.APPROVALS

    def get_request(self) -> ApprovalRequest:
        queryset = selectors.request_list(organisation=self.organisation).select_related(
            "policy", "plan__budget"
        )
        return self.get_object(queryset)

    def roles_to_act_as(self, approval_request) -> list[str]:
        return selectors.roles_user_may_act_as(
            approval_request, user=self.request.user, roles=self.org_context.roles
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        approval_request = self.get_request()
        plan = approval_request.plan
        roles = self.roles_to_act_as(approval_request)
        tiers = rules.validate_tiers(approval_request.policy.tiers)
        facts = selectors.facts_of(approval_request)
        given, needed = rules.slots_count(approval_request.required, facts)
        still_open = rules.slots_open(approval_request.required, facts)
        if shows_case_summary(self.org_context):
            # A lay panel member sees the case without identifiers (phb/visibility.py).
            context["case"] = selectors.case_summary(approval_request)
        state = slots.slot_state(approval_request)
        eligible = {slot.role: slot.eligible for slot in state.open_slots}
        context.update(
            approval=approval_request,
            stuck=state.stuck,
            stuck_slots=[
                {
                    "label": services.role_label(slot.role),
                    "remaining": slot.remaining,
                    "eligible": slot.eligible,
                }
                for slot in state.open_slots
            ],
            why_not=None
            if roles
            else selectors.why_user_cannot_sign(
                approval_request, user=self.request.user, roles=self.org_context.roles
            ),
            plan=plan,
            indicative=allocation_services.plan_indicative(plan),
            goals=plan.goals.all(),
            items=[
                {"item": item, "category": dict(SpendCategory.choices).get(item.category, item.category)}
                for item in plan.items.all()
            ],
            risks=plan.risks.all(),
            explanation=rules.explain_tier(
                tiers, approval_request.tier - 1, approval_request.measured_amount, services.role_label
            ),
            given=given,
            needed=needed,
            slots=[
                {
                    "label": ROLE_LABELS.get(s["role"], s["role"]),
                    "count": s["count"],
                    "given": s["count"] - still_open.get(s["role"], 0),
                    "eligible": eligible.get(s["role"]),
                }
                for s in approval_request.required
            ],
            decisions=[
                {"decision": d, "role": ROLE_LABELS.get(d.role, d.role)}
                for d in approval_request.decisions.all()
            ],
            form=form or (DecisionForm(roles=roles, organisation=self.organisation) if roles else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        approval_request = self.get_request()
        roles = self.roles_to_act_as(approval_request)
        form = DecisionForm(request.POST, roles=roles, organisation=self.organisation)
        if not roles:
            messages.error(request, "There is no sign-off on this request that you can give.")
            return redirect("approvals:decision", org=self.organisation.code, pk=approval_request.pk)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            result = services.decision_record(
                actor=request.user, request=approval_request, **form.cleaned_data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _outcome_message(result, form.cleaned_data["decision"]))
        return redirect("approvals:decision", org=self.organisation.code, pk=result.pk)


def _outcome_message(approval_request: ApprovalRequest, decision: str) -> str:
    if approval_request.status == "approved":
        return "Approved: the last sign-off is in and the plan is approved."
    if decision == "approve":
        return "Your sign-off is recorded. The plan is waiting for the rest of the panel."
    if decision == "decline":
        return "The plan is declined. The care coordinator has been told."
    return "The plan is returned to draft with your comment."


class PolicyView(OrgViewMixin, TemplateView):
    """The approval policy in force and its versions; commissioners and org admins publish a new one."""

    template_name = "approvals/policy.html"
    model = ApprovalPolicy
    data = Data.POLICY
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": POLICY_EDITORS}

    def get_context_data(self, formset=None, **kwargs):
        context = super().get_context_data(**kwargs)
        in_force = services.policy_in_force(self.organisation)
        tiers = rules.validate_tiers(in_force.tiers) if in_force else []
        can_edit = self.org_context.has_role(*POLICY_EDITORS)
        if formset is None and can_edit:
            initial = [TierForm.initial_from(t) for t in (in_force.tiers if in_force else [])]
            formset = TierFormSet(initial=initial)
        context.update(
            in_force=in_force,
            tiers=[
                {
                    "number": index + 1,
                    "tier": tier,
                    "bound": rules.describe_measure(tier.up_to, tier.basis)
                    if tier.up_to is not None
                    else None,
                    "needs": rules.describe_signoffs(tier.signoffs, services.role_label),
                }
                for index, tier in enumerate(tiers)
            ],
            versions=selectors.policy_versions(organisation=self.organisation),
            warnings=selectors.policy_warnings(organisation=self.organisation, tiers=in_force.tiers)
            if in_force
            else [],
            scheduled=services.policies_scheduled(self.organisation),
            can_edit=can_edit,
            formset=formset,
            effective_form=kwargs.get("effective_form") or EffectiveFromForm(),
            preview_form=PreviewForm(initial={"total": "600.00", "weekly": "120.00"}),
            preview=_preview_or_none(tiers, Decimal("600.00"), Decimal("120.00")),
        )
        return context

    def post(self, request, *args, **kwargs):
        formset = TierFormSet(request.POST)
        effective_form = EffectiveFromForm(request.POST)
        if not (formset.is_valid() and effective_form.is_valid()):
            return self.render_to_response(
                self.get_context_data(formset=formset, effective_form=effective_form)
            )
        tiers, positions = tiers_from_formset(formset)
        in_force = services.policy_in_force(self.organisation)
        if (
            in_force is not None
            and not effective_form.cleaned_data["effective_from"]
            and _same_tiers(tiers, in_force.tiers)
        ):
            messages.success(request, f"Nothing was changed: version {in_force.version} stays in force.")
            return redirect("approvals:policy", org=self.organisation.code)
        try:
            published = services.policy_publish(
                actor=request.user,
                organisation=self.organisation,
                tiers=tiers,
                effective_on=effective_form.cleaned_data["effective_from"],
            )
        except InvalidInput as error:
            if "effective_from" in error.details:
                effective_form.add_error("effective_from", error.details["effective_from"])
            errors_onto_formset(formset, positions, error.details)
            return self.render_to_response(
                self.get_context_data(formset=formset, effective_form=effective_form)
            )
        if published.effective_from > timezone.now():
            when = timezone.localtime(published.effective_from)
            messages.success(
                request,
                f"Approval policy version {published.version} is scheduled: in force from {when:%-d %B %Y}. "
                "Until then the current version stays in force.",
            )
        else:
            messages.success(request, f"Approval policy version {published.version} is now in force.")
        return redirect("approvals:policy", org=self.organisation.code)


class PolicyWithdrawView(WithdrawScheduledVersionView):
    """Withdraw an approval policy version scheduled for a later date, before it starts."""

    model = ApprovalPolicy
    required_roles = POLICY_EDITORS
    versions_page = "approvals:policy"

    def withdraw(self, version) -> None:
        services.policy_withdraw(actor=self.request.user, policy=version)


def _same_tiers(typed: list[dict], in_force: list[dict]) -> bool:
    """The tiers typed say what the policy in force says (the editor may list sign-offs in its own order)."""
    try:
        return _canonical(typed) == _canonical(in_force)
    except rules.PolicyError:
        return False


def _canonical(tiers) -> list:
    return [
        {**tier, "signoffs": sorted(tier["signoffs"], key=lambda s: s["role"])}
        for tier in rules.tiers_as_json(rules.validate_tiers(tiers))
    ]


def _preview_or_none(tiers, total: Decimal, weekly: Decimal) -> dict | None:
    if not tiers:
        return None
    return preview(tiers, total, weekly, None)


class PolicyPreviewView(OrgViewMixin, TemplateView):
    """htmx fragment: which tier a plan of £X total / £Y a week would fall in, under the tiers being
    edited (POST, when they are complete) or the policy in force (GET)."""

    template_name = "approvals/_policy_preview.html"
    model = ApprovalPolicy
    data = Data.POLICY

    def post(self, request, *args, **kwargs):
        return self._render(request.POST, draft=True)

    def get(self, request, *args, **kwargs):
        return self._render(request.GET, draft=False)

    def _render(self, data, *, draft: bool):
        form = PreviewForm(data)
        total = weekly = Decimal("0.00")
        if form.is_valid():
            total = form.cleaned_data["total"] or Decimal("0.00")
            weekly = form.cleaned_data["weekly"] or Decimal("0.00")
        tiers, source = [], "none"
        if draft:
            formset = TierFormSet(data)
            if formset.is_valid():
                try:
                    tiers = rules.validate_tiers(tiers_from_formset(formset)[0])
                    source = "draft"
                except rules.PolicyError:
                    tiers = []
        if not tiers:
            in_force = services.policy_in_force(self.organisation)
            if in_force:
                tiers, source = rules.validate_tiers(in_force.tiers), "in_force"
        return render(
            self.request,
            self.template_name,
            {
                "preview": _preview_or_none(tiers, total, weekly),
                "source": source,
                "form_valid": form.is_valid(),
                "draft": draft,
            },
        )
