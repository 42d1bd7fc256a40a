"""Forms of the kernel's pages: people, staff, teams, organisations."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .constants import Cohort, Ethnicity, Gender, RepresentativeKind, Role
from .models import Organisation, Person, Team
from .nhs_number import normalise_nhs_number, validate_nhs_number


class OrgForm(forms.Form):
    """A form that knows the organisation it serves (OrgViewMixin passes it)."""

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }


class PersonForm(forms.ModelForm):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=12,
        help_text="10 digits, like 943 476 5919",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    gender = forms.ChoiceField(choices=Gender.choices)
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices, initial=Ethnicity.Z)
    cohorts = forms.MultipleChoiceField(
        choices=Cohort.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    representative_kind = forms.ChoiceField(
        choices=RepresentativeKind.choices, required=False, label="Representative or nominee"
    )

    class Meta:
        model = Person
        fields = [
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "cohorts",
            "postcode",
            "phone",
            "email",
            "representative_kind",
            "representative_name",
            "representative_relationship",
            "representative_contact",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["cohorts"].initial = self.instance.cohort_codes

    def clean_nhs_number(self):
        value = normalise_nhs_number(self.cleaned_data["nhs_number"])
        validate_nhs_number(value)
        clash = Person.objects.for_org(self.organisation).filter(nhs_number=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A person with this NHS number is already recorded here.")
        return value

    def _post_clean(self):
        # The service validates the model; the form only checks what was typed.
        pass


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Name or NHS number", required=False, max_length=100)


class StaffForm(OrgForm):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password. Give it to the person safely.",
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(self.organisation)


class InvitationForm(OrgForm):
    email = forms.EmailField(
        label="Email address", help_text="The invitation link is sent here. It works once, for 7 days."
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(self.organisation)


class MembershipForm(OrgForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    is_active = forms.BooleanField(required=False, label="Active member of this organisation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(self.organisation)


class OwnMembershipForm(OrgForm):
    """Your own place on the staff page: your team only. Another admin changes your roles."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(self.organisation)


class TeamForm(OrgForm):
    name = forms.CharField(max_length=120, label="Team name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Team.objects.for_org(self.organisation).filter(name__iexact=name).exists():
            raise forms.ValidationError("There is already a team with this name.")
        return name


class OrganisationForm(forms.ModelForm):
    ambition_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)

    class Meta:
        model = Organisation
        fields = ["code", "name", "region", "population", "ambition_target", "ambition_date"]

    def _post_clean(self):
        pass


class OrganisationSettingsForm(forms.ModelForm):
    ambition_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "region",
            "population",
            "ambition_target",
            "ambition_date",
            "stale_approval_days",
            "unfunded_after_days",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        pass
