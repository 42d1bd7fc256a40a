"""Forms of the payments pages: release of funds, a payment (with receipt), reversals, the export period."""

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from phb import dates
from phb.exceptions import InvalidInput
from phb.fields import DateField, PlainErrorsMixin
from phb.forms import OrgForm
from support_plans.constants import PaymentMethod
from support_plans.models import Supplier

from .constants import EntryKind
from .receipts import check_receipt


def _amount_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label="Amount (£)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"}),
        **kwargs,
    )


def _date_field(label: str) -> DateField:
    """The day money moved: typed as day, month and year, today or earlier."""
    return DateField(
        kind=dates.PAST,
        label=label,
        initial=timezone.localdate,
        error_messages={"required": f"Enter the {label[:1].lower()}{label[1:]}"},
    )


class MoneyForm(OrgForm):
    """A money write: a hidden Idempotency-Key made when the form is shown, so a double submit records once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)


class ReleaseForm(MoneyForm):
    prefix = "release"
    amount = _amount_field()
    released_on = _date_field("Date released")
    reference = forms.CharField(max_length=100, required=False, label="Finance reference")


class PaymentForm(MoneyForm):
    prefix = "payment"
    amount = _amount_field()
    paid_on = _date_field("Date paid")
    method = forms.ChoiceField(choices=PaymentMethod.choices, label="How it was paid")
    payee = forms.CharField(max_length=200, label="Paid to")
    reference = forms.CharField(
        max_length=100, required=False, label="Reference", help_text="Invoice or transaction reference"
    )
    receipt = forms.FileField(
        required=False, label="Receipt", help_text="A PDF, JPEG or PNG file, up to 5 MB"
    )
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        label="Supplier (optional)",
        help_text="Choose the supplier paid: a payment of a due instalment's amount to its supplier marks it paid",
        empty_label="Not one of our suppliers",
    )
    instalment = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.organisation is not None:
            self.fields["supplier"].queryset = Supplier.objects.for_org(self.organisation).order_by("name")
            self.fields["supplier"].label_from_instance = lambda supplier: supplier.name

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt:
            try:
                check_receipt(receipt)
            except InvalidInput as error:
                raise forms.ValidationError(error.details["receipt"]) from error
        return receipt


class RefundForm(MoneyForm):
    prefix = "refund"
    amount = _amount_field()
    refunded_on = _date_field("Date refunded")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reason")
    reference = forms.CharField(max_length=100, required=False, label="Reference")


class ClawbackForm(MoneyForm):
    prefix = "clawback"
    amount = _amount_field()
    clawed_back_on = _date_field("Date recovered")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reason")
    reference = forms.CharField(max_length=100, required=False, label="Reference")


class CorrectionForm(MoneyForm):
    prefix = "correction"
    entry = forms.TypedChoiceField(coerce=int, label="Entry to correct")
    amount = _amount_field(help_text="How much of that entry to reverse")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reason")

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [
            (e.pk, f"{e.get_kind_display()} of £{e.amount:,.2f} on {e.entry_date:%d %b %Y} (entry {e.pk})")
            for e in entries
            if e.kind != EntryKind.CORRECTION
        ]


class ExportForm(PlainErrorsMixin, forms.Form):
    start = DateField(
        picker=True, label="From", error_messages={"required": "Enter the first day of the period"}
    )
    end = DateField(picker=True, label="To", error_messages={"required": "Enter the last day of the period"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The end of the period must not be before its start.")
        return cleaned
