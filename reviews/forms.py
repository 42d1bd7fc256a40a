"""Forms of the reviews pages: review policy, requesting a review, completing one."""

from decimal import Decimal, InvalidOperation

from django import forms

from phb import dates
from phb.fields import DateField
from phb.forms import OrgForm
from support_plans.constants import CloseReason

from .constants import INSTRUMENT_RANGES, Attainment, Instrument, ReviewDecision

RANGES_HINT = "; ".join(f"{i.value} {low}–{high}" for i, (low, high) in INSTRUMENT_RANGES.items())


class ReviewPolicyForm(OrgForm):
    first_review_weeks = forms.IntegerField(
        min_value=1,
        max_value=52,
        label="First review, weeks after the plan starts",
        help_text="Direct payments: within three months (12 weeks)",
    )
    interval_weeks = forms.IntegerField(
        min_value=1,
        max_value=104,
        label="Then every (weeks)",
        help_text="13 for three-monthly, 52 for annual",
    )
    reminder_days_before = forms.IntegerField(
        min_value=0, max_value=60, label="Remind the care coordinator this many days before a review is due"
    )
    escalate_days_after = forms.IntegerField(
        min_value=0, max_value=90, label="Tell the team lead when a review is this many days overdue"
    )
    midpoint_and_end = forms.BooleanField(
        required=False,
        label="Review at the midpoint and end of the plan instead of on the cycle (time-limited recovery budgets)",
    )
    effective_from = DateField(
        kind=dates.FUTURE,
        picker=True,
        required=False,
        label="In force from",
        help_text="Leave empty for now, or give a later date agreed for the change.",
    )


class ReviewRequestForm(OrgForm):
    due_on = DateField(
        kind=dates.FUTURE,
        picker=True,
        label="When should the review be held?",
        error_messages={"required": "Enter the date the review should be held"},
    )
    requested_by = forms.CharField(
        max_length=200,
        required=False,
        label="Who asked for it",
        help_text="For example, the person, their carer, or a member of staff",
    )


class ReviewCompleteForm(OrgForm):
    """One row per instrument (instrument + score), a five-point attainment per goal, the decision."""

    held_on = DateField(
        kind=dates.PAST,
        label="Date the review was held",
        error_messages={"required": "Enter the date the review was held"},
    )
    working = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What is working"
    )
    not_working = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What is not working"
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_rows = []
        for index, instrument in enumerate(Instrument.values):
            number = index + 1
            self.fields[f"measure_{index}_instrument"] = forms.ChoiceField(
                choices=Instrument.choices, initial=instrument, label=f"Measure {number}: instrument"
            )
            self.fields[f"measure_{index}_score"] = forms.CharField(
                required=False,
                max_length=8,
                label=f"Measure {number}: score",
                help_text=f"Leave blank if not measured. Valid scores: {RANGES_HINT}",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}),
            )
            self.measure_rows.append((f"measure_{index}_instrument", f"measure_{index}_score"))
        self.goal_fields = []
        for goal in goals:
            name = f"goal_{goal.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=[(value, f"{value}: {label}") for value, label in Attainment.choices],
                widget=forms.RadioSelect,
                required=False,
                label=goal.description,
            )
            self.goal_fields.append((goal, name))
        self.fields["decision"] = forms.ChoiceField(
            choices=ReviewDecision.choices, widget=forms.RadioSelect, label="Decision"
        )
        self.fields["close_reason"] = forms.ChoiceField(
            choices=[("", "Choose a reason"), *CloseReason.choices],
            required=False,
            label="Reason for closing the account",
            help_text="Only when the decision is to close the account",
        )
        self.fields["notes"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000, label="Notes"
        )

    def measure_pairs(self):
        return [(self[instrument], self[score]) for instrument, score in self.measure_rows]

    def goal_pairs(self):
        return [(goal, self[name]) for goal, name in self.goal_fields]

    def clean(self):
        cleaned = super().clean()
        measures = []
        for instrument_name, score_name in self.measure_rows:
            raw = (cleaned.get(score_name) or "").strip()
            instrument = cleaned.get(instrument_name)
            if not raw or not instrument:
                continue
            low, high = INSTRUMENT_RANGES[Instrument(instrument)]
            try:
                score = Decimal(raw)
            except InvalidOperation:
                self.add_error(score_name, "Enter the score as a number, like 24 or 21.5.")
                continue
            if not score.is_finite() or not low <= score <= high:
                self.add_error(score_name, f"{instrument} score must be between {low} and {high}.")
                continue
            measures.append({"instrument": instrument, "score": score})
        cleaned["measures"] = measures
        cleaned["goals"] = [
            {"goal": goal.pk, "attainment": cleaned[name]}
            for goal, name in self.goal_fields
            if cleaned.get(name)
        ]
        if cleaned.get("decision") == ReviewDecision.CLOSE and not cleaned.get("close_reason"):
            self.add_error("close_reason", "Choose why the account is being closed.")
        return cleaned
