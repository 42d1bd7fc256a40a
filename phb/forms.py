"""Forms of the kernel's pages: people, staff, teams, organisations."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from . import dates
from .constants import Cohort, Ethnicity, Gender, RepresentativeKind, Role
from .fields import DateField, PlainErrorsMixin
from .models import HolderRelation, Organisation, Person, Team
from .nhs_number import normalise_nhs_number, validate_nhs_number

User = get_user_model()


class OrgForm(PlainErrorsMixin, forms.Form):
    """A form that knows the organisation it serves (OrgViewMixin passes it)."""

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)


class SignInForm(PlainErrorsMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }


class PersonForm(PlainErrorsMixin, forms.ModelForm):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=12,
        help_text="10 digits, like 943 476 5919",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the person's NHS number"},
    )
    given_name = forms.CharField(
        max_length=100, label="Given name", error_messages={"required": "Enter the person's given name"}
    )
    family_name = forms.CharField(
        max_length=100, label="Family name", error_messages={"required": "Enter the person's family name"}
    )
    date_of_birth = DateField(
        kind=dates.BIRTH,
        label="Date of birth",
        help_text="For example, 31 3 1980",
        error_messages={"required": "Enter the person's date of birth"},
    )
    gender = forms.ChoiceField(
        choices=Gender.choices, error_messages={"required": "Select the person's gender"}
    )
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices, initial=Ethnicity.Z, label="Ethnic category")
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


class PersonSearchForm(PlainErrorsMixin, forms.Form):
    q = forms.CharField(label="Name or NHS number", required=False, max_length=100)


class StaffForm(OrgForm):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter a username"})
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password. Give it to the person safely.",
        error_messages={"required": "Enter a password for the new account"},
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role: an account with no roles can do nothing here"},
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(self.organisation)

    def clean(self):
        """Everything wrong with a new account at once (the password's rules too), not one per attempt."""
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as error:
                for message in error.messages:
                    self.add_error("password", message)
        return data


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


class HolderInvitationForm(OrgForm):
    email = forms.EmailField(
        label="Email address",
        help_text="We send the link here. It works once, for 7 days. You can also print it in a letter.",
    )
    acting_as = forms.ChoiceField(
        label="Who is the account for?",
        choices=HolderRelation.choices,
        widget=forms.RadioSelect,
        initial=HolderRelation.PERSON,
    )


class HolderAccountForm(PlainErrorsMixin, forms.Form):
    """A budget holder chooses how to sign in when they accept their invitation."""

    username = forms.CharField(
        label="Choose a username",
        max_length=150,
        help_text="Letters, numbers and @ . + - _ only. You type this when you sign in.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 8 characters. Not only numbers, and not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


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


def ambition_date_field() -> DateField:
    return DateField(
        required=False,
        picker=True,
        label="Ambition date",
        help_text="The date by which the organisation aims to have its target number of budgets in place",
    )


class OrganisationForm(PlainErrorsMixin, forms.ModelForm):
    ambition_date = ambition_date_field()

    class Meta:
        model = Organisation
        fields = ["code", "name", "region", "population", "ambition_target", "ambition_date"]

    def _post_clean(self):
        pass


class OrganisationSettingsForm(PlainErrorsMixin, forms.ModelForm):
    ambition_date = ambition_date_field()

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
            "indicative_margin_percent",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (or not sent), the margin stays as it is.
        self.fields["indicative_margin_percent"].required = False

    def clean_indicative_margin_percent(self):
        value = self.cleaned_data.get("indicative_margin_percent")
        return self.instance.indicative_margin_percent if value is None else value

    def _post_clean(self):
        pass


class AccessLogSearchForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        validators=[validate_nhs_number],
        help_text="The person who asked who has looked at their record, for example 485 777 3456",
    )
