"""Pages of the shared kernel: sign in, choosing an organisation, home, people, staff, teams."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from . import selectors, services, visibility
from .access import organisations_for, outside_staff_home, refuse_outside_staff
from .access_log import access_log_for_person
from .constants import Role
from .exceptions import Conflict, InvalidInput
from .fields import PersonPicker
from .forms import (
    AccessLogSearchForm,
    MembershipForm,
    OrganisationForm,
    OrganisationSettingsForm,
    OwnMembershipForm,
    PersonForm,
    PersonSearchForm,
    SignInForm,
    StaffForm,
    TeamForm,
)
from .mixins import OrgViewMixin, form_errors_from
from .models import Membership, Organisation, Person, RecordAccess, Team
from .nhs_number import normalise_nhs_number
from .oidc import sign_in_options
from .sections import home_panels, person_sections
from .visibility import Data


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_options"] = sign_in_options()
        return context


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    """Send the user to the organisation they last used, or let them choose one (a provider's or
    budget holder's account to its own pages)."""
    if (outside := outside_staff_home(request.user)) is not None:
        return redirect(outside)
    organisations = list(organisations_for(request.user))
    last = request.session.get("org")
    codes = {o.code for o in organisations}
    if last in codes:
        return redirect("org-home", org=last)
    if len(organisations) == 1:
        return redirect("org-home", org=organisations[0].code)
    return render(request, "phb/choose_organisation.html", {"organisations": organisations})


class OrgHomeView(OrgViewMixin, TemplateView):
    """The landing page: what needs doing, by role."""

    data = Data.ORGANISATION
    template_name = "phb/org_home.html"
    required_roles = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = [label for code, label in Role.choices if code in self.org_context.roles]
        context["team"] = self.org_context.membership.team if self.org_context.membership else None
        context["panels"] = home_panels(self.org_context)
        return context


# --- People


class PersonListView(OrgViewMixin, TemplateView):
    template_name = "phb/person_list.html"
    model = Person
    data = Data.PEOPLE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PersonSearchForm(self.request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        people = self.visible(selectors.person_search(organisation=self.organisation, query=query))
        context["form"] = form
        context["query"] = query
        context["page"] = Paginator(people, 25).get_page(self.request.GET.get("page"))
        context["can_write"] = visibility.may_write(self.org_context, Data.PEOPLE)
        return context


class PersonPickView(OrgViewMixin, TemplateView):
    """htmx: people of this organisation whose name or NHS number starts with what is typed."""

    template_name = "phb/_person_picker_results.html"
    model = Person
    data = Data.PEOPLE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("q") or "")[:100]
        name = self.request.GET.get("name") or "person"
        for key, value in self.request.GET.items():
            if key.endswith(PersonPicker.search_suffix):
                query = value[:100]
                name = key[: -len(PersonPicker.search_suffix)]
        context.update(
            people=selectors.person_picker(organisation=self.organisation, query=query),
            query=query,
            name=name if name.replace("-", "").replace("_", "").isalnum() else "person",
            base_id=f"id_{name}",
            chosen=None,
            add_url=reverse("person-create", kwargs={"org": self.organisation.code}),
        )
        return context


class PersonCreateView(OrgViewMixin, FormView):
    template_name = "phb/person_form.html"
    form_class = PersonForm
    model = Person
    data = Data.PEOPLE

    def form_valid(self, form):
        try:
            person = services.person_create(
                actor=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Record created for {person.full_name}.")
        return redirect("person-detail", org=self.organisation.code, pk=person.pk)


class PersonUpdateView(OrgViewMixin, FormView):
    template_name = "phb/person_form.html"
    form_class = PersonForm
    model = Person
    data = Data.PEOPLE

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.person = self.get_object()
        kwargs["instance"] = self.person
        return kwargs

    def form_valid(self, form):
        services.person_update(actor=self.request.user, person=self.person, **form.cleaned_data)
        messages.success(self.request, "Record updated.")
        return redirect("person-detail", org=self.organisation.code, pk=self.person.pk)


class PersonDetailView(OrgViewMixin, TemplateView):
    """A person's record: details, their referrals and plans (from each app), and the timeline."""

    template_name = "phb/person_detail.html"
    model = Person
    data = Data.PEOPLE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.get_object(Person.objects.for_org(self.organisation).prefetch_related("cohorts"))
        services.person_record_view(actor=self.request.user, person=person)
        context["person"] = person
        context["timeline"] = selectors.person_timeline(person=person, limit=50)
        context["sections"] = person_sections(person, self.org_context)
        context["can_write"] = visibility.may_write(self.org_context, Data.PEOPLE)
        context["can_invite"] = self.org_context.has_role(Role.CARE_COORDINATOR)
        return context


# --- Staff and teams (org admins)


class StaffListView(OrgViewMixin, TemplateView):
    template_name = "phb/staff_list.html"
    required_roles = {Role.ORG_ADMIN}
    model = Membership
    data = Data.STAFF

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.member_list(organisation=self.organisation)
        context["invitations"] = selectors.invitation_list(organisation=self.organisation).filter(
            accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        return context


class StaffCreateView(OrgViewMixin, FormView):
    template_name = "phb/staff_form.html"
    form_class = StaffForm
    required_roles = {Role.ORG_ADMIN}
    model = Membership
    data = Data.STAFF

    def form_valid(self, form):
        try:
            membership = services.member_add(
                actor=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except InvalidInput as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        except Conflict as error:  # the username is taken: say so and nothing more
            form.add_error("username", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{membership.user.username} can now work in {self.organisation.name}."
        )
        return redirect("staff-list", org=self.organisation.code)


class StaffUpdateView(OrgViewMixin, FormView):
    """Change a member's roles, team, or deactivate them; on your own entry, your team only."""

    template_name = "phb/staff_edit.html"
    required_roles = {Role.ORG_ADMIN}
    model = Membership
    data = Data.STAFF

    def get_form_class(self):
        return OwnMembershipForm if self.is_own else MembershipForm

    @cached_property
    def membership(self) -> Membership:
        return self.get_object(
            Membership.objects.for_org(self.organisation).select_related("user").prefetch_related("roles")
        )

    @property
    def is_own(self) -> bool:
        return self.membership.user_id == self.request.user.pk

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["initial"] = {
            "roles": sorted(self.membership.role_codes),
            "team": self.membership.team,
            "is_active": self.membership.is_active,
        }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        context["is_own"] = self.is_own
        context["roles"] = [label for code, label in Role.choices if code in self.membership.role_codes]
        return context

    def form_valid(self, form):
        services.member_update(actor=self.request.user, membership=self.membership, **form.cleaned_data)
        messages.success(self.request, f"Saved for {self.membership.user.username}.")
        return redirect("staff-list", org=self.organisation.code)


class TeamListView(OrgViewMixin, FormView):
    template_name = "phb/team_list.html"
    form_class = TeamForm
    required_roles = {Role.ORG_ADMIN}
    model = Team
    data = Data.STAFF

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teams"] = Team.objects.for_org(self.organisation)
        return context

    def form_valid(self, form):
        team = services.team_create(
            actor=self.request.user, organisation=self.organisation, **form.cleaned_data
        )
        messages.success(self.request, f"Team {team.name} added.")
        return redirect("team-list", org=self.organisation.code)


class OrganisationSettingsView(OrgViewMixin, FormView):
    template_name = "phb/org_settings.html"
    form_class = OrganisationSettingsForm
    required_roles = {Role.ORG_ADMIN, Role.COMMISSIONER}
    model = Organisation
    data = Data.SETTINGS

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.organisation
        return kwargs

    def form_valid(self, form):
        services.organisation_update(
            actor=self.request.user, organisation=self.organisation, **form.cleaned_data
        )
        messages.success(self.request, "Organisation settings saved.")
        return redirect("org-settings", org=self.organisation.code)


class OrganisationCreateView(LoginRequiredMixin, UserPassesTestMixin, FormView):
    """Superusers set up a new organisation (an ICB or place) in the browser."""

    template_name = "phb/organisation_form.html"
    form_class = OrganisationForm

    def test_func(self):
        refuse_outside_staff(self.request.user)
        return self.request.user.is_superuser

    def form_valid(self, form):
        if Organisation.objects.filter(code=form.cleaned_data["code"]).exists():
            form.add_error("code", "An organisation with this ODS code already exists.")
            return self.form_invalid(form)
        organisation = services.organisation_create(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, f"{organisation.name} created. Add its first org admin.")
        return redirect(reverse("staff-create", kwargs={"org": organisation.code}))


# --- The access log (the org admin, as the information governance lead would)


class AccessLogView(OrgViewMixin, TemplateView):
    """Who opened a person's record, plan, PDF, account or an export naming them: when, who, what.

    Found by NHS number, since the org admin sees no people list; the page shows the log and no
    clinical content (phb/visibility.py: ACCESS_LOG is the org admin's, PEOPLE is not)."""

    template_name = "phb/access_log.html"
    model = RecordAccess
    data = Data.ACCESS_LOG

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AccessLogSearchForm(self.request.GET or None)
        person = entries = None
        if form.is_valid():
            digits = normalise_nhs_number(form.cleaned_data["nhs_number"])
            person = Person.objects.for_org(self.organisation).filter(nhs_number=digits).first()
            if person is None:
                form.add_error(
                    "nhs_number", f"No one with this NHS number is recorded in {self.organisation.name}."
                )
            else:
                entries = list(access_log_for_person(organisation=self.organisation, person=person))
        context.update(
            form=form,
            person=person,
            entries=entries,
            people_who_looked=len({entry.user_id for entry in entries or []}),
        )
        return context
