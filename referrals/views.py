"""Pages of the referrals app: the list, a new referral, one referral and its decisions, the caseload."""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from phb.access import PERSON_DATA_ROLES
from phb.constants import Role
from phb.exceptions import InvalidInput
from phb.mixins import OrgViewMixin, form_errors_from
from phb.models import Person
from phb.visibility import Data

from . import selectors, services
from .constants import CONVERSATION_ROLES, REFERRAL_ROLES, ReferralStatus
from .forms import (
    AcceptForm,
    ConversationForm,
    DeclineForm,
    ReferralForm,
    StatusFilterForm,
    TransferForm,
    WithdrawForm,
)
from .models import Referral

CASELOAD_ROLES = {Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD}


class ReferralListPage(OrgViewMixin, TemplateView):
    template_name = "referrals/referral_list.html"
    model = Referral
    data = Data.REFERRALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatusFilterForm(self.request.GET or None)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        referrals = selectors.referral_list(organisation=self.organisation, status=status or None)
        context["form"] = form
        context["status"] = status
        context["page"] = Paginator(referrals, 25).get_page(self.request.GET.get("page"))
        context["may_refer"] = self.org_context.has_role(*REFERRAL_ROLES)
        return context


class ReferralCreatePage(OrgViewMixin, FormView):
    template_name = "referrals/referral_form.html"
    form_class = ReferralForm
    model = Referral
    data = Data.REFERRALS
    required_roles = set(REFERRAL_ROLES)

    def get_initial(self):
        initial = super().get_initial()
        person_id = self.request.GET.get("person", "")
        if person_id.isdecimal():
            person = Person.objects.for_org(self.organisation).filter(pk=int(person_id)).first()
            if person is not None:
                initial["person"] = person.pk
        return initial

    def form_valid(self, form):
        try:
            referral = services.referral_create(
                actor=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Referral recorded for {referral.person.full_name}.")
        return redirect("referrals:detail", org=self.organisation.code, pk=referral.pk)


def _what_next(referral: Referral, code: str) -> str:
    if referral.status == ReferralStatus.RECEIVED:
        return "Accept it and choose the care coordinator who will hold it, or decline it with a reason."
    if referral.status == ReferralStatus.ACCEPTED:
        step = selectors.next_step_for(referral, code)
        return f"{step.label}."
    if referral.status == ReferralStatus.TRANSFERRED:
        outcome = selectors.transfer_outcome(referral)
        if outcome and outcome["outcome"] == "declined":
            return (
                "The receiving organisation declined the transfer, so the person is this organisation's again: "
                "open a new referral for them if they still need a budget."
            )
        if outcome and outcome["outcome"] == "pending":
            return (
                "Wait for the receiving organisation to accept or decline it. Until then no new referral or "
                "plan can be opened for the person here."
            )
        return "Nothing: the responsible commissioner now holds this referral. This record is read-only."
    return "Nothing: this referral is closed."


class ReferralDetailPage(OrgViewMixin, TemplateView):
    """One referral: where it stands, what to do next, the decisions open now, and its conversations."""

    template_name = "referrals/referral_detail.html"
    model = Referral
    data = Data.REFERRALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referral = self.get_object(selectors.referral_for_page(organisation=self.organisation))
        code = self.organisation.code
        may_decide = self.org_context.has_role(*REFERRAL_ROLES)
        status = referral.status
        context.update(
            referral=referral,
            conversations=selectors.conversation_list(referral=referral),
            what_next=_what_next(referral, code),
            transfer_outcome=selectors.transfer_outcome(referral),
            next_step=selectors.next_step_for(referral, code) if status == ReferralStatus.ACCEPTED else None,
            may_record=status == ReferralStatus.ACCEPTED and self.org_context.has_role(*CONVERSATION_ROLES),
        )
        if may_decide and status == ReferralStatus.RECEIVED:
            context["accept_form"] = AcceptForm(organisation=self.organisation, user=self.request.user)
            context["decline_form"] = DeclineForm(organisation=self.organisation)
        if may_decide and status in (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED):
            context["withdraw_form"] = WithdrawForm(organisation=self.organisation)
            context["transfer_form"] = TransferForm(organisation=self.organisation)
        return context


class _ReferralActionPage(OrgViewMixin, FormView):
    """A decision on one referral: fetch it (404), check the role (403), validate, call the service.

    Each decision has its own page so that a form with errors is shown again with what was typed;
    the referral's page shows the same forms inline.
    """

    model = Referral
    data = Data.REFERRALS
    required_roles = PERSON_DATA_ROLES
    roles = REFERRAL_ROLES
    template_name = "referrals/referral_action.html"
    title = ""
    button = ""
    done = ""

    def dispatch(self, request, *args, **kwargs):
        self.referral = None
        return super().dispatch(request, *args, **kwargs)

    def _load(self):
        self.referral = self.get_object(selectors.referral_detail_queryset(organisation=self.organisation))
        if not self.org_context.has_role(*self.roles):
            raise PermissionDenied("Your roles in this organisation do not allow this.")

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        return super().post(request, *args, **kwargs)

    def get_error_redirect_url(self) -> str:
        if self.referral is None:
            return super().get_error_redirect_url()
        return self.detail_url()

    def detail_url(self) -> str:
        return reverse("referrals:detail", kwargs={"org": self.organisation.code, "pk": self.referral.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(referral=self.referral, title=self.title, button=self.button)
        return context

    def act(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.act(form)
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect(self.detail_url())


class ReferralAcceptPage(_ReferralActionPage):
    form_class = AcceptForm
    title = "Accept the referral"
    button = "Accept referral"
    done = "Referral accepted."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def act(self, form):
        services.referral_accept(
            actor=self.request.user,
            referral=self.referral,
            care_coordinator=form.cleaned_data["care_coordinator"],
        )


class ReferralDeclinePage(_ReferralActionPage):
    form_class = DeclineForm
    title = "Decline the referral"
    button = "Decline referral"
    done = "Referral declined."

    def act(self, form):
        services.referral_decline(
            actor=self.request.user, referral=self.referral, reason=form.cleaned_data["reason"]
        )


class ReferralWithdrawPage(_ReferralActionPage):
    form_class = WithdrawForm
    title = "Withdraw the referral"
    button = "Withdraw referral"
    done = "Referral withdrawn."

    def act(self, form):
        services.referral_withdraw(
            actor=self.request.user, referral=self.referral, reason=form.cleaned_data["reason"]
        )


class ReferralTransferPage(_ReferralActionPage):
    form_class = TransferForm
    title = "Transfer to the responsible commissioner"
    button = "Transfer referral"

    def act(self, form):
        to_organisation = form.cleaned_data["to_org"]
        services.referral_transfer(
            actor=self.request.user,
            referral=self.referral,
            to_organisation=to_organisation,
            reason=form.cleaned_data["reason"],
        )
        self.done = f"Referral transferred to {to_organisation.name}."


class ConversationCreatePage(_ReferralActionPage):
    form_class = ConversationForm
    template_name = "referrals/conversation_form.html"
    roles = CONVERSATION_ROLES
    title = "Record a conversation"
    button = "Save conversation"
    done = "Conversation recorded."

    def act(self, form):
        services.conversation_record(actor=self.request.user, referral=self.referral, **form.cleaned_data)


WAITING_SHOWN = 25


class CaseloadPage(OrgViewMixin, TemplateView):
    """A care coordinator's caseload and the referrals waiting; `?view=team` for a team lead's team."""

    data = Data.REFERRALS
    template_name = "referrals/caseload.html"
    required_roles = CASELOAD_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        view = self.request.GET.get("view", "mine")
        is_team_lead = self.org_context.has_role(Role.TEAM_LEAD)
        membership = self.org_context.membership
        context.update(view=view, is_team_lead=is_team_lead, team=membership.team if membership else None)
        if view == "team":
            if not is_team_lead:
                raise PermissionDenied("The team view is for team leads.")
            rows = (
                selectors.team_caseload(organisation=self.organisation, team=context["team"])
                if context["team"]
                else []
            )
            context["groups"] = [
                {"coordinator": group[0].referral.care_coordinator, "rows": group}
                for group in (
                    list(items)
                    for _, items in groupby(rows, key=lambda row: row.referral.care_coordinator_id)
                )
            ]
            context["team_count"] = len(rows)
            return context
        context["rows"] = selectors.caseload_for(organisation=self.organisation, user=self.request.user)
        # The oldest few, with the count: the whole list is on the referrals page (status received).
        context["waiting"] = selectors.waiting_referrals(organisation=self.organisation, limit=WAITING_SHOWN)
        context["waiting_count"] = selectors.waiting_count(organisation=self.organisation)
        context["may_accept"] = self.org_context.has_role(*REFERRAL_ROLES)
        return context
