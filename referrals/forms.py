"""Forms of the referral pages: a new referral, the decisions on it, and a conversation."""

from django import forms
from django.utils import timezone

from phb import dates
from phb.constants import Cohort
from phb.fields import DateField, PersonField, PlainErrorsMixin
from phb.forms import OrgForm
from phb.models import Organisation, Person

from . import selectors, services
from .constants import ConversationMode, Participant, ReferralSource, ReferralStatus


class ReferralForm(OrgForm):
    person = PersonField(queryset=Person.objects.none(), label="Person")
    source = forms.ChoiceField(label="Where the referral came from", choices=ReferralSource.choices)
    cohort = forms.ChoiceField(choices=Cohort.choices)
    received_on = DateField(
        kind=dates.PAST,
        label="Date received",
        error_messages={"required": "Enter the date the referral was received"},
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_org(self.organisation)
        self.fields["person"].bind_to(
            organisation=self.organisation, data=self.data if self.is_bound else None
        )
        self.fields["received_on"].initial = timezone.localdate()


class AcceptForm(OrgForm):
    prefix = "accept"
    care_coordinator = forms.ModelChoiceField(
        queryset=None, label="Care coordinator who will hold this referral", empty_label=None
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        coordinators = selectors.care_coordinators(organisation=self.organisation)
        field = self.fields["care_coordinator"]
        field.queryset = coordinators
        field.label_from_instance = lambda u: u.get_full_name() or u.username
        if user is not None and coordinators.filter(pk=user.pk).exists():
            field.initial = user.pk


class ReasonForm(OrgForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=services.MAX_REASON_LENGTH)


class DeclineForm(ReasonForm):
    prefix = "decline"


class WithdrawForm(ReasonForm):
    prefix = "withdraw"


class TransferForm(OrgForm):
    prefix = "transfer"
    to_org = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Responsible commissioner",
        empty_label="Choose an organisation",
        to_field_name="code",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=services.MAX_REASON_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_org"]
        field.queryset = selectors.transfer_destinations(organisation=self.organisation)
        field.label_from_instance = lambda o: f"{o.name} ({o.code})"


class ConversationForm(OrgForm):
    held_on = DateField(
        kind=dates.PAST,
        label="Date of the conversation",
        error_messages={"required": "Enter the date of the conversation"},
    )
    mode = forms.ChoiceField(
        label="How it was held", choices=ConversationMode.choices, widget=forms.RadioSelect
    )
    participants = forms.MultipleChoiceField(
        label="Who took part",
        choices=Participant.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, required=False)
    goals = forms.CharField(
        label="The person's goals, in their own words",
        help_text="One goal on each line. What would help them to get and stay well?",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()

    def clean_goals(self):
        lines = [line.strip() for line in self.cleaned_data["goals"].splitlines()]
        goals = [line for line in lines if line]
        if len(goals) > services.MAX_GOALS:
            raise forms.ValidationError(f"Record at most {services.MAX_GOALS} goals.")
        if any(len(goal) > services.MAX_GOAL_LENGTH for goal in goals):
            raise forms.ValidationError(f"Keep each goal to {services.MAX_GOAL_LENGTH} characters or fewer.")
        return goals


class StatusFilterForm(PlainErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "All statuses"), *ReferralStatus.choices], required=False
    )
