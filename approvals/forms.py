"""Forms of the approvals pages: a decision, and the tiers editor of the approval policy."""

import re
from decimal import Decimal

from django import forms

from phb import dates
from phb.constants import Role
from phb.fields import DateField, PlainErrorsMixin, PlainFormSet
from phb.forms import OrgForm

from . import policy as rules
from .constants import Basis, DecisionKind

# The roles offered in the tiers editor, in the order of phb.constants.Role.
EDITOR_ROLES = [(code, label) for code, label in Role.choices if code in rules.SIGNING_ROLES]


class DecisionForm(OrgForm):
    decision = forms.ChoiceField(
        label="Your decision", choices=DecisionKind.choices, widget=forms.RadioSelect
    )
    role = forms.ChoiceField(label="Sign as", widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed to decline or return the plan; the care coordinator will see it.",
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(code, label) for code, label in Role.choices if code in roles]
        if len(self.fields["role"].choices) == 1:
            self.fields["role"].initial = self.fields["role"].choices[0][0]

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (DecisionKind.DECLINE, DecisionKind.RETURN)
            and not data.get("comment", "").strip()
        ):
            self.add_error("comment", "Say why you are declining or returning the plan.")
        return data


class TierForm(PlainErrorsMixin, forms.Form):
    """One tier: its upper bound and basis, how many sign-offs of each role, the submitter rule."""

    up_to = forms.DecimalField(
        label="Upper bound (£)",
        required=False,
        min_value=Decimal("0.01"),
        max_value=rules.MAX_BOUND,
        max_digits=12,
        decimal_places=2,
        help_text="Inclusive. Leave empty on the last tier (no upper bound).",
    )
    basis = forms.ChoiceField(label="Measured on", choices=Basis.choices, initial=Basis.TOTAL)
    submitter_may_sign = forms.BooleanField(label="The submitter may fill one sign-off", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in EDITOR_ROLES:
            self.fields[f"count_{code}"] = forms.IntegerField(
                label=f"{label} sign-offs",
                required=False,
                min_value=0,
                max_value=rules.MAX_COUNT,
                initial=0,
                widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2"}),
            )
        # Bound, basis, then the roles, then the submitter rule: the order a commissioner reads.
        self.order_fields(["up_to", "basis", *[f"count_{c}" for c, _ in EDITOR_ROLES], "submitter_may_sign"])

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        counts = [data.get(f"count_{code}") or 0 for code, _ in EDITOR_ROLES]
        return data.get("up_to") is None and not any(counts) and not data.get("submitter_may_sign")

    def as_tier(self) -> dict:
        data = self.cleaned_data
        return {
            "up_to": None if data.get("up_to") is None else f"{data['up_to']:.2f}",
            "basis": data.get("basis") or Basis.TOTAL,
            "signoffs": [
                {"role": code, "count": data[f"count_{code}"]}
                for code, _ in EDITOR_ROLES
                if data.get(f"count_{code}")
            ],
            "submitter_may_sign": bool(data.get("submitter_may_sign")),
        }

    @staticmethod
    def initial_from(tier: dict) -> dict:
        initial = {
            "up_to": tier.get("up_to"),
            "basis": tier.get("basis"),
            "submitter_may_sign": tier.get("submitter_may_sign", False),
        }
        for signoff in tier.get("signoffs", []):
            initial[f"count_{signoff['role']}"] = signoff["count"]
        return initial


TierFormSet = forms.formset_factory(TierForm, formset=PlainFormSet, extra=1, max_num=8, validate_max=True)


def tiers_from_formset(formset) -> tuple[list[dict], list[int]]:
    """The tiers typed (blank rows skipped) and, for each, the index of its form (to place errors)."""
    tiers, positions = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        tiers.append(form.as_tier())
        positions.append(index)
    return tiers, positions


TIER_ERROR = re.compile(r"^tiers\[(\d+)\](?:\.(\w+))?")


def errors_onto_formset(formset, positions: list[int], errors: dict) -> None:
    """Put the rule's field-keyed messages ('tiers[1].up_to') against the tier rows they name."""
    for key, messages in errors.items():
        match = TIER_ERROR.match(key)
        if not match or int(match.group(1)) >= len(positions):
            formset.non_form_errors().extend(messages)
            continue
        form = formset.forms[positions[int(match.group(1))]]
        field = match.group(2)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class PreviewForm(PlainErrorsMixin, forms.Form):
    total = forms.DecimalField(
        label="Plan total (£)", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    weekly = forms.DecimalField(
        label="Weekly cost (£)", required=False, min_value=0, max_digits=12, decimal_places=2
    )


class EffectiveFromForm(PlainErrorsMixin, forms.Form):
    """When a new version of the policy takes effect: today (left empty) or a later date."""

    effective_from = DateField(
        kind=dates.FUTURE,
        picker=True,
        required=False,
        label="In force from",
        help_text="Leave empty for now, or give a later date (for example 1 April, when the board agreed it).",
    )
