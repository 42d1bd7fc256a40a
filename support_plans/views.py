"""Support plan pages: the list, the plan editor with live costs, the plan page and its actions, directories."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from phb.access import PERSON_DATA_ROLES
from phb.access_log import AccessKind
from phb.constants import Role
from phb.exceptions import InvalidInput
from phb.fields import clean_date
from phb.mixins import OrgViewMixin, form_errors_from
from phb.models import Person
from phb.sections import plan_sections
from phb.visibility import Data
from referrals.models import Conversation, Referral

from . import allocation_services, allocation_views, selectors, services
from .api import log_plan_opened, pdf_response
from .constants import PlanStatus
from .costs import plan_costs
from .forms import (
    CloseForm,
    FastTrackChoiceForm,
    FastTrackOfferForm,
    PlanForm,
    StatusFilterForm,
    SupplierForm,
    formsets_for,
    preview_lines,
    rows,
)
from .models import FastTrackOffer, Supplier, SupportPlan


class PlanPageMixin(OrgViewMixin):
    """Pages of one plan: fetched first (404 for another organisation), errors shown on the plan page."""

    model = SupportPlan
    data = Data.PLANS

    def get_plan(self) -> SupportPlan:
        if not hasattr(self, "_plan"):
            self._plan = self.get_object(selectors.plan_detail_queryset(organisation=self.organisation))
        return self._plan

    def plan_url(self, plan=None) -> str:
        plan = plan or self.get_plan()
        return reverse("support_plans:plan-detail", kwargs={"org": self.organisation.code, "pk": plan.pk})

    def get_error_redirect_url(self) -> str:
        return self.plan_url()

    def http_method_not_allowed(self, request, *args, **kwargs):
        self.get_plan()  # another organisation's plan is a 404 whatever the method
        return super().http_method_not_allowed(request, *args, **kwargs)

    def require_writer(self) -> None:
        from django.core.exceptions import PermissionDenied

        if not self.org_context.has_role(*selectors.PLAN_WRITERS):
            raise PermissionDenied("Only care coordinators, team leads and PHB leads write support plans.")


# --- Lists


class PlanListView(OrgViewMixin, TemplateView):
    template_name = "support_plans/plan_list.html"
    model = SupportPlan
    data = Data.PLANS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatusFilterForm(self.request.GET or None)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        plans = self.visible(selectors.plan_list(organisation=self.organisation, status=status or None))
        context["form"] = StatusFilterForm(initial={"status": status})
        context["status"] = status
        context["page"] = Paginator(plans, 25).get_page(self.request.GET.get("page"))
        context["can_write"] = self.org_context.has_role(*selectors.PLAN_WRITERS)
        return context


# --- The plan editor


class EditorMixin:
    """The editor page shared by writing a new plan and changing a draft."""

    template_name = "support_plans/plan_edit.html"

    def editor_context(self, form, formsets, plan=None) -> dict:
        return {
            "organisation": self.organisation,
            "form": form,
            "formsets": formsets,
            "formset_list": [
                ("Goal", formsets["goals"]),
                ("Item", formsets["items"]),
                ("Risk", formsets["risks"]),
            ],
            "plan": plan,
            "offers": selectors.fast_track_offers(organisation=self.organisation).order_by("name"),
            "costs_panel": costs_panel_context(self.organisation, self.request.POST or None, plan),
            "answers_form": self.answers_form(plan),
        }

    def answers_form(self, plan=None):
        """The indicative budget questionnaire of the editor (None when the organisation has none)."""
        if not hasattr(self, "_answers_form"):
            self._answers_form = allocation_views.answers_form_for(
                self.organisation, self.request.POST or None, plan
            )
        return self._answers_form

    def forms_valid(self, form, formsets) -> bool:
        answers = self.answers_form(getattr(self, "_plan", None))
        return (
            form.is_valid()
            and all(formset.is_valid() for formset in formsets.values())
            and (answers is None or answers.is_valid())
        )

    def children(self, formsets) -> dict:
        children = {name: rows(formset) for name, formset in formsets.items()}
        answers = self.answers_form(getattr(self, "_plan", None))
        if answers is not None:  # answered, or skipped (None); without a questionnaire, kept as they were
            children["allocation_answers"] = answers.answers()
        return children


def costs_panel_context(organisation, data, plan=None) -> dict:
    """What the live costs panel shows: the plan's costs and the approval tier it would need."""
    incomplete = 0
    result = None
    if data is not None:
        lines, incomplete = preview_lines(data)
        # Read with the editor's own date field, so the panel never disagrees with the form.
        start, end = clean_date(data.get("start_date")), clean_date(data.get("end_date"))
        result = plan_costs(start, end, lines) if start and end and end >= start else None
    elif plan is not None:
        result = selectors.plan_costs(plan)
    return {
        "costs": result,
        "incomplete": incomplete,
        "tier": selectors.required_tier(organisation, result) if result is not None else None,
        "indicative": allocation_views.indicative_panel(organisation, data, plan, result),
    }


class PlanCreateView(EditorMixin, OrgViewMixin, TemplateView):
    """Write a new support plan (a new budget, version 1) for a person; ?person=&referral= preselect."""

    model = SupportPlan
    data = Data.PLANS
    required_roles = selectors.PLAN_WRITERS

    def get_context_data(self, form=None, formsets=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if form is None:
            form, formsets = self.blank_editor()
        context.update(self.editor_context(form, formsets))
        return context

    def blank_editor(self):
        initial = {}
        person_id = self.request.GET.get("person", "")
        if person_id.isdecimal() and Person.objects.for_org(self.organisation).filter(pk=person_id).exists():
            initial["person"] = int(person_id)
        referral_id = self.request.GET.get("referral", "")
        goals = []
        if referral_id.isdecimal():
            initial["referral"] = int(referral_id)
            goals = [
                {"description": goal} for goal in _conversation_goals(self.organisation, int(referral_id))
            ]
        form = PlanForm(initial=initial, organisation=self.organisation)
        return form, formsets_for(self.organisation, goals=goals or [{}], items=[{}], risks=[])

    def post(self, request, *args, **kwargs):
        form = PlanForm(request.POST, organisation=self.organisation)
        formsets = formsets_for(self.organisation, request.POST)
        if self.forms_valid(form, formsets):
            referral = _referral(
                self.organisation, form.cleaned_data.get("referral"), form.cleaned_data["person"]
            )
            try:
                plan = services.plan_create(
                    actor=request.user,
                    organisation=self.organisation,
                    person=form.cleaned_data["person"],
                    referral=referral,
                    **form.service_fields(),
                    **self.children(formsets),
                )
            except InvalidInput as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"Support plan saved as a draft for {plan.person.full_name}.")
                return redirect("support_plans:plan-detail", org=self.organisation.code, pk=plan.pk)
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))


def _referral(organisation, referral_id, person):
    if not referral_id:
        return None
    return Referral.objects.for_org(organisation).filter(pk=referral_id, person=person).first()


def _conversation_goals(organisation, referral_id) -> list[str]:
    """The goals the person gave in their conversations, to start the plan in their words."""
    goals: list[str] = []
    for conversation in Conversation.objects.for_org(organisation).filter(referral_id=referral_id):
        goals.extend(str(goal) for goal in conversation.goals or [] if str(goal).strip())
    return goals[:10]


class PlanEditView(EditorMixin, PlanPageMixin, TemplateView):
    """The plan editor for a draft: goals, items and risks, with costs worked out as items change."""

    required_roles = selectors.PLAN_WRITERS

    def check_draft(self, plan) -> bool:
        if plan.status != PlanStatus.DRAFT:
            messages.error(
                self.request,
                f"This plan is {plan.get_status_display().lower()}, so it cannot be changed. "
                "Only a draft can be edited.",
            )
            return False
        return True

    def initial_formsets(self, plan):
        from .services import GOAL_FIELDS, ITEM_FIELDS, RISK_FIELDS

        items = []
        for item in plan.items.all():
            values = {name: getattr(item, name) for name in ITEM_FIELDS if name != "supplier"}
            values["supplier_id"] = item.supplier_id
            items.append(values)
        return formsets_for(
            self.organisation,
            goals=[{k: getattr(g, k) for k in GOAL_FIELDS} for g in plan.goals.all()],
            items=items,
            risks=[{k: getattr(r, k) for k in RISK_FIELDS} for r in plan.risks.all()],
        )

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        if not self.check_draft(plan):
            return redirect(self.plan_url())
        initial = {
            name: getattr(plan, name)
            for name in (
                "start_date",
                "end_date",
                "management",
                "funding_nhs",
                "funding_social_care",
                "funding_education",
                "contingency",
                "contacts",
                "agreed_on",
                "agreed_by",
                "agreed_by_name",
            )
        }
        form = PlanForm(initial=initial, organisation=self.organisation, plan=plan)
        context = self.get_context_data(**kwargs)
        context.update(self.editor_context(form, self.initial_formsets(plan), plan))
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        if not self.check_draft(plan):
            return redirect(self.plan_url())
        form = PlanForm(request.POST, organisation=self.organisation, plan=plan)
        formsets = formsets_for(self.organisation, request.POST)
        if self.forms_valid(form, formsets):
            try:
                services.plan_update(
                    actor=request.user, plan=plan, **form.service_fields(), **self.children(formsets)
                )
            except InvalidInput as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "Support plan saved.")
                return redirect(self.plan_url())
        context = self.get_context_data(**kwargs)
        context.update(self.editor_context(form, formsets, plan))
        return self.render_to_response(context)


class PlanCostsPreviewView(OrgViewMixin, View):
    """htmx: the costs panel for what is typed in the editor (total, weekly, annual, tier needed)."""

    data = Data.PLANS
    required_roles = selectors.PLAN_WRITERS

    def post(self, request, *args, **kwargs):
        from django.shortcuts import render

        return render(
            request, "support_plans/_costs.html", costs_panel_context(self.organisation, request.POST)
        )

    def get(self, request, *args, **kwargs):
        from django.shortcuts import render

        return render(request, "support_plans/_costs.html", costs_panel_context(self.organisation, None))


# --- The plan page and its actions


class PlanDetailView(PlanPageMixin, TemplateView):
    template_name = "support_plans/plan_detail.html"
    required_roles = PERSON_DATA_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.get_plan()
        log_plan_opened(self.request.user, plan, AccessKind.PLAN, channel="web")
        plan_costs_now = selectors.plan_costs(plan)
        approval = selectors.latest_approval(plan)
        context.update(
            {
                "plan": plan,
                "costs": plan_costs_now,
                "indicative": allocation_services.plan_indicative(plan),
                "tier": selectors.required_tier(self.organisation, plan_costs_now)
                if plan.status == PlanStatus.DRAFT
                else None,
                "approval": approval,
                "approval_required": selectors.with_role_labels(approval.required) if approval else [],
                "account": selectors.account_summary(plan),
                "versions": selectors.plan_versions(plan),
                "actions": selectors.allowed_actions(plan, self.org_context),
                "close_form": CloseForm(),
                "offer_form": FastTrackChoiceForm(organisation=self.organisation),
                "review": selectors.first_review(plan),
                "plan_sections": plan_sections(plan, self.org_context),
            }
        )
        return context


class PlanActionView(PlanPageMixin, View):
    """A POST that changes the plan's status; GET just shows the plan."""

    roles = selectors.PLAN_WRITERS

    def get(self, request, *args, **kwargs):
        return redirect(self.plan_url())

    def post(self, request, *args, **kwargs):
        plan = self.get_plan()
        from django.core.exceptions import PermissionDenied

        if not self.org_context.has_role(*self.roles):
            raise PermissionDenied("Your roles do not allow this.")
        return self.act(request, plan)


class PlanSubmitView(PlanActionView):
    def act(self, request, plan):
        services.plan_submit(actor=request.user, plan=plan)
        messages.success(request, "Support plan submitted for sign-off.")
        return redirect(self.plan_url())


class PlanReviseView(PlanActionView):
    def act(self, request, plan):
        revision = services.plan_revise(actor=request.user, plan=plan)
        messages.success(request, f"Version {revision.version} started as a draft. Change it and submit it.")
        return redirect("support_plans:plan-edit", org=self.organisation.code, pk=revision.pk)


class PlanCloseView(PlanActionView):
    data = Data.ACCOUNTS
    roles = selectors.PLAN_CLOSERS

    def act(self, request, plan):
        form = CloseForm(request.POST)
        if not form.is_valid():
            for field, problems in form.errors.items():
                label = form.fields[field].label if field in form.fields else field
                for problem in problems:
                    messages.error(request, f"{label}: {problem}")
            return redirect(self.plan_url())
        services.plan_close(actor=request.user, plan=plan, **form.cleaned_data)
        messages.success(request, "The budget is closed.")
        return redirect(self.plan_url())


class PlanFastTrackView(PlanActionView):
    def act(self, request, plan):
        form = FastTrackChoiceForm(request.POST, organisation=self.organisation)
        if not form.is_valid():
            messages.error(request, "Choose a fast-track offer to add.")
            return redirect(self.plan_url())
        offer = form.cleaned_data["offer"]
        services.plan_add_fast_track_offer(actor=request.user, plan=plan, offer=offer)
        messages.success(request, f"{offer.name} added to the plan.")
        return redirect(
            (
                request.POST.get("next") == "edit"
                and reverse("support_plans:plan-edit", kwargs={"org": self.organisation.code, "pk": plan.pk})
            )
            or self.plan_url()
        )


class PlanPdfView(PlanPageMixin, View):
    required_roles = PERSON_DATA_ROLES

    def get(self, request, *args, **kwargs):
        plan = self.get_plan()
        log_plan_opened(request.user, plan, AccessKind.PLAN_PDF, channel="web")
        return pdf_response(plan)


# --- Directories


class SupplierListView(OrgViewMixin, TemplateView):
    """The directory of suppliers and services the organisation has used, with a form to add one."""

    template_name = "support_plans/supplier_list.html"
    model = Supplier
    data = Data.CATALOGUE
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": selectors.SUPPLIER_WRITERS}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")[:100]
        context["query"] = query
        context["page"] = Paginator(
            selectors.supplier_search(organisation=self.organisation, query=query), 25
        ).get_page(self.request.GET.get("page"))
        context["retired"] = selectors.supplier_search(
            organisation=self.organisation, query=query, active=False
        )
        context["can_add"] = self.org_context.has_role(*selectors.SUPPLIER_WRITERS)
        context["form"] = form or SupplierForm(organisation=self.organisation)
        return context

    def post(self, request, *args, **kwargs):
        form = SupplierForm(request.POST, organisation=self.organisation)
        if form.is_valid():
            try:
                supplier = services.supplier_create(
                    actor=request.user, organisation=self.organisation, **form.cleaned_data
                )
            except InvalidInput as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"{supplier} added to the directory.")
                return redirect("support_plans:supplier-list", org=self.organisation.code)
        return self.render_to_response(self.get_context_data(form=form))


class SupplierSearchView(OrgViewMixin, TemplateView):
    """htmx: suppliers matching what is typed in the plan editor, each with a button to use it."""

    template_name = "support_plans/_supplier_results.html"
    model = Supplier
    data = Data.CATALOGUE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("supplier_q") or self.request.GET.get("q") or "")[:100]
        context["query"] = query
        context["suppliers"] = (
            selectors.supplier_search(organisation=self.organisation, query=query)[:10]
            if query.strip()
            else []
        )
        return context


class FastTrackListView(OrgViewMixin, TemplateView):
    """Fast-track offers; commissioners, org admins and PHB leads add them."""

    template_name = "support_plans/fast_track_list.html"
    model = FastTrackOffer
    data = Data.CATALOGUE
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": selectors.OFFER_WRITERS}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["offers"] = selectors.fast_track_offers(organisation=self.organisation)
        context["retired"] = selectors.fast_track_offers(organisation=self.organisation, active=False)
        context["can_add"] = self.org_context.has_role(*selectors.OFFER_WRITERS)
        context["form"] = form or FastTrackOfferForm(organisation=self.organisation)
        return context

    def post(self, request, *args, **kwargs):
        form = FastTrackOfferForm(request.POST, organisation=self.organisation)
        if form.is_valid():
            try:
                offer = services.fast_track_offer_create(
                    actor=request.user, organisation=self.organisation, **form.cleaned_data
                )
            except InvalidInput as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"Fast-track offer {offer.name} set up.")
                return redirect("support_plans:fast-track-list", org=self.organisation.code)
        return self.render_to_response(self.get_context_data(form=form))


class _DirectoryEntryEditView(OrgViewMixin, TemplateView):
    """Change a supplier or an offer, or retire it (it leaves planning, stays on the plans that used it)."""

    template_name = "support_plans/directory_edit.html"
    form_class: type = SupplierForm
    list_url = ""
    what = ""

    def get_entry(self):
        return self.get_object()

    def initial(self, entry) -> dict:
        return {name: getattr(entry, name) for name in self.form_class.base_fields}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = kwargs.get("entry") or self.get_entry()
        context.update(
            entry=entry,
            what=self.what,
            form=form or self.form_class(initial=self.initial(entry), organisation=self.organisation),
            back_url=reverse(self.list_url, kwargs={"org": self.organisation.code}),
        )
        return context

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        if "retire" in request.POST or "restore" in request.POST:
            self.update(entry, {"is_active": "restore" in request.POST})
            state = "back in use" if entry.is_active else "retired: it is no longer offered when planning"
            messages.success(request, f"{entry} is {state}.")
            return redirect(self.list_url, org=self.organisation.code)
        form = self.form_class(request.POST, organisation=self.organisation)
        if form.is_valid():
            try:
                self.update(entry, dict(form.cleaned_data))
            except InvalidInput as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"{entry} saved.")
                return redirect(self.list_url, org=self.organisation.code)
        return self.render_to_response(self.get_context_data(form=form, entry=entry))


class SupplierEditView(_DirectoryEntryEditView):
    model = Supplier
    data = Data.CATALOGUE
    form_class = SupplierForm
    list_url = "support_plans:supplier-list"
    what = "supplier"
    required_roles = {"GET": selectors.SUPPLIER_WRITERS, "POST": selectors.SUPPLIER_WRITERS}

    def update(self, entry, changes):
        services.supplier_update(actor=self.request.user, supplier=entry, **changes)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        if self.org_context.has_role(Role.ORG_ADMIN):
            # The supplier's own logins (providers/): what it was paid and is owed.
            context["logins_url"] = reverse(
                "providers:supplier-logins", kwargs={"org": self.organisation.code, "pk": context["entry"].pk}
            )
        return context


class FastTrackOfferEditView(_DirectoryEntryEditView):
    model = FastTrackOffer
    data = Data.CATALOGUE
    form_class = FastTrackOfferForm
    list_url = "support_plans:fast-track-list"
    what = "fast-track offer"
    required_roles = {"GET": selectors.OFFER_WRITERS, "POST": selectors.OFFER_WRITERS}

    def update(self, entry, changes):
        services.fast_track_offer_update(actor=self.request.user, offer=entry, **changes)
