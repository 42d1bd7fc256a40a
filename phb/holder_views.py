"""Pages for budget holders' invitations: a care coordinator invites the person, their representative
or nominee; they accept by choosing a username and password (no account needed beforehand)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect
from django.views.generic import FormView

from . import invitations
from .constants import Role
from .exceptions import DomainError, InvalidInput
from .forms import HolderAccountForm, HolderInvitationForm
from .mixins import OrgViewMixin, form_errors_from
from .models import Person
from .notifications import absolute_url
from .visibility import Data


class HolderInviteView(OrgViewMixin, FormView):
    """Invite someone to see this person's budget online; the link is shown once, for a letter."""

    template_name = "phb/holder_invite.html"
    form_class = HolderInvitationForm
    required_roles = {Role.CARE_COORDINATOR}
    model = Person
    data = Data.PEOPLE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.person
        return context

    def get(self, request, *args, **kwargs):
        self.person = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.person = self.get_object()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            invitation, token = invitations.holder_invitation_create(
                actor=self.request.user,
                person=self.person,
                email=form.cleaned_data["email"],
                acting_as=form.cleaned_data["acting_as"],
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        # The link is shown once, on this answer: only its digest is kept.
        return self.render_to_response(
            self.get_context_data(
                form=form,
                invitation=invitation,
                accept_url=absolute_url(invitations.accept_path(token)),
            )
        )


class HolderAcceptView(FormView):
    """A budget holder's invitation: who it is from and a form to make the account. No sign-in needed."""

    template_name = "phb/holder_accept.html"
    form_class = HolderAccountForm

    def setup(self, request, *args, invitation=None, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = invitation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            invitations.check_usable(self.invitation)
            context["problem"] = None
        except DomainError as error:
            context["problem"] = error.message
        context["invitation"] = self.invitation
        return context

    def form_valid(self, form):
        try:
            user = invitations.holder_invitation_accept(token=self.kwargs["token"], **form.cleaned_data)
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Your account is ready. This is your personal health budget.")
        return redirect("my-plan")
