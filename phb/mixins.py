"""The base of every page under /o/{org}/: organisation scoping, role checks, domain errors."""

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from . import visibility
from .access import PERSON_DATA_ROLES, OrgContext, get_for_org, org_context_for
from .exceptions import DomainError, InvalidInput


class OrgViewMixin(LoginRequiredMixin):
    """Resolves `org` from the URL against the user's memberships (404 otherwise), checks roles.

    `data` names the kind of data the page shows (phb/visibility.py): the role-by-data table says
    who may open it and which rows they reach. `required_roles` narrows that for an action: roles
    of which the user needs one (a dict keyed by HTTP method also works); `None` adds no rule.
    `model` names the tenant model the page shows (for get_object and the isolation tests). A
    DomainError raised by a service becomes a message on the page.
    """

    required_roles: Iterable[str] | dict | None = PERSON_DATA_ROLES
    data: str | None = None
    model = None
    org_context: OrgContext

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.org_context = org_context_for(request.user, kwargs["org"])
        request.org_context = self.org_context
        if request.session.get("org") != self.org_context.code:
            request.session["org"] = self.org_context.code
        if not self.org_context.has_any(self.get_required_roles()):
            raise PermissionDenied("Your roles in this organisation do not allow this page.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except InvalidInput as error:
            for field, problems in error.details.items():
                for problem in problems if isinstance(problems, list) else [problems]:
                    messages.error(request, f"{field.replace('_', ' ').capitalize()}: {problem}")
            if not error.details:
                messages.error(request, error.message)
            return HttpResponseRedirect(self.get_error_redirect_url())
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.get_error_redirect_url())

    def get_required_roles(self):
        roles = self.required_roles
        if isinstance(roles, dict):
            roles = roles.get(self.request.method, roles.get("GET", PERSON_DATA_ROLES))
        return visibility.roles_for_view(self.data, self.request.method, roles)

    def get_error_redirect_url(self) -> str:
        return self.request.get_full_path()

    @property
    def organisation(self):
        return self.org_context.organisation

    def get_queryset(self):
        return self.model.objects.for_org(self.organisation)

    def get_object(self, queryset=None):
        obj = get_for_org(
            queryset if queryset is not None else self.get_queryset(),
            self.organisation,
            pk=self.kwargs["pk"],
        )
        visibility.check_object(self.org_context, self.data, obj)
        return obj

    def visible(self, queryset):
        """The rows of a list the user's roles reach (phb/visibility.py)."""
        return visibility.restrict(queryset, self.org_context, self.data)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisation"] = self.organisation
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.organisation
        return context


def form_errors_from(form, error: InvalidInput | DomainError) -> None:
    """Put a service's error on the form, against the field it names, so nothing typed is lost."""
    details = getattr(error, "details", {}) or {}
    if not details:
        form.add_error(None, error.message)
        return
    for field, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            form.add_error(field if field in form.fields else None, str(problem))


class WithdrawScheduledVersionView(OrgViewMixin, View):
    """POST: withdraw a version (of a policy, a questionnaire) scheduled for a later date, before it
    starts, and go back to the page of its versions. A subclass names the `model`, the page
    (`versions_page`), what it is (`what`) and the service that withdraws it (`withdraw`)."""

    data = visibility.Data.POLICY
    versions_page = ""
    what = "Version"

    def withdraw(self, version) -> None:
        raise NotImplementedError

    def get_error_redirect_url(self) -> str:
        return reverse(self.versions_page, kwargs={"org": self.organisation.code})

    def post(self, request, *args, **kwargs):
        version = get_for_org(self.model.objects.all(), self.organisation, version=kwargs["version"])
        self.withdraw(version)
        messages.success(request, f"{self.what} {version.version} withdrawn: it will not come into force.")
        return redirect(self.versions_page, org=self.organisation.code)
