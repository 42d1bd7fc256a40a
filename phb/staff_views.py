"""Pages for invitations: an org admin invites someone who has an account; they accept it, signed in."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from . import invitations
from .constants import Role
from .exceptions import DomainError, InvalidInput
from .forms import InvitationForm
from .holder_views import HolderAcceptView
from .mixins import OrgViewMixin, form_errors_from
from .models import Invitation, InvitationKind
from .visibility import Data


class StaffInviteView(OrgViewMixin, FormView):
    template_name = "phb/staff_invite.html"
    form_class = InvitationForm
    required_roles = {Role.ORG_ADMIN}
    model = Invitation
    data = Data.STAFF

    def form_valid(self, form):
        try:
            invitation, _token = invitations.invitation_create(
                actor=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Invitation sent to {invitation.email}. They accept it by signing in to their own account.",
        )
        return redirect("staff-list", org=self.organisation.code)


class InvitationAcceptView(LoginRequiredMixin, TemplateView):
    """Shows who invites you, where and with which roles; accepting joins you to the organisation."""

    template_name = "phb/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = invitations.invitation_for_token(kwargs["token"])
        if self.invitation is None:
            raise Http404("No such invitation.")
        if self.invitation.kind == InvitationKind.BUDGET_HOLDER:
            # A budget holder has no account yet: they make one on this page, signed out.
            return HolderAcceptView.as_view()(request, *args, invitation=self.invitation, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitation = self.invitation
        try:
            invitations.check_usable(invitation)
            context["problem"] = None
        except DomainError as error:
            context["problem"] = error.message
        context["invitation"] = invitation
        return context

    def post(self, request, token: str):
        try:
            membership = invitations.invitation_accept(actor=request.user, token=token)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("invitation-accept", token=token)
        request.session["org"] = membership.organisation.code
        messages.success(request, f"You now work in {membership.organisation.name}.")
        return redirect("org-home", org=membership.organisation.code)
