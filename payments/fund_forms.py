"""Forms of the fund pages: set up a fund, top it up or reduce it."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from phb.constants import Cohort
from phb.forms import OrgForm
from phb.models import Team
from support_plans.models import Supplier

from . import funds
from .constants import FundEntryKind
from .fund_services import MAX_FUND


def _amount_field(label: str = "Amount (£)", **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_FUND,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"}),
        **kwargs,
    )


class FundForm(OrgForm):
    name = forms.CharField(
        max_length=200, label="Name of the fund", help_text="For example, Recovery budgets"
    )
    financial_year = forms.CharField(
        max_length=7,
        label="Financial year",
        help_text="April to March, like 2026-27",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )
    amount = _amount_field("Amount set aside (£)")
    held_by = forms.ModelChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        label="Held by",
        empty_label="The organisation itself",
        help_text="The brokerage partner that holds the money, if any",
    )
    cohorts = forms.MultipleChoiceField(
        choices=Cohort.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Cohorts it serves",
        help_text="Leave all unticked to serve every cohort",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Teams it serves",
        help_text="Leave all unticked to serve every team",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("financial_year", funds.financial_year_of(timezone.localdate()))
        super().__init__(*args, **kwargs)
        self.fields["held_by"].queryset = Supplier.objects.for_org(self.organisation).order_by("name")
        self.fields["teams"].queryset = Team.objects.for_org(self.organisation).order_by("name")

    def clean_financial_year(self):
        value = self.cleaned_data["financial_year"].strip()
        if not funds.is_financial_year(value):
            raise forms.ValidationError(funds.YEAR_MESSAGE)
        return value


class FundAdjustForm(OrgForm):
    kind = forms.ChoiceField(
        choices=[(FundEntryKind.TOP_UP, "Top up the fund"), (FundEntryKind.REDUCTION, "Reduce the fund")],
        widget=forms.RadioSelect,
        label="Change",
    )
    amount = _amount_field()
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Reason",
        help_text="Kept with the entry",
    )


class FundCloseForm(OrgForm):
    confirm = forms.BooleanField(label="Yes, close this fund: no further approvals will draw on it")


class ReleaseFromFundForm(OrgForm):
    confirm = forms.BooleanField(label="Yes, release this plan's money for the year from a fund with room")
