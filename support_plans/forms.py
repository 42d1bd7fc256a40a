"""Forms of the support plan pages: the plan editor (plan, goals, items, risks), closing, the directory."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from phb import dates
from phb.fields import DateField, PersonField, PlainErrorsMixin, PlainFormSet
from phb.forms import OrgForm
from phb.models import Person

from . import costs
from .constants import AgreedBy, CloseReason, Frequency, Management, PaymentMethod, PlanStatus, SpendCategory
from .models import FastTrackOffer, OrganisationSpendCategory, Supplier

MAX_AMOUNT = Decimal("1000000.00")


def amount_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"}),
        **kwargs,
    )


def category_choices(organisation) -> list[tuple[str, str]]:
    own = OrganisationSpendCategory.objects.for_org(organisation).values_list("code", "label")
    return [("", "Choose a category"), *SpendCategory.choices, *own]


class PlanForm(OrgForm):
    person = PersonField(queryset=Person.objects.none(), label="Person (budget holder)")
    referral = forms.IntegerField(required=False, widget=forms.HiddenInput)
    start_date = DateField(
        picker=True, label="Plan starts", error_messages={"required": "Enter the date the plan starts"}
    )
    end_date = DateField(
        picker=True,
        label="Plan ends",
        help_text=f"At most {dates.MAX_PLAN_YEARS} years after it starts",
        error_messages={"required": "Enter the date the plan ends"},
    )
    management = forms.ChoiceField(
        choices=Management.choices,
        widget=forms.RadioSelect,
        label="How the budget is managed",
        error_messages={"required": "Select how the budget is managed"},
    )
    # The funding split, in pounds: who pays how much of the plan's total (an integrated budget).
    # Left empty, the NHS funds it all; once any amount is given they must add up to the total.
    funding_nhs = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="NHS (£)"
    )
    funding_social_care = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="Social care (£)"
    )
    funding_education = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="Education (£)"
    )
    contingency = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Contingency",
        help_text="What happens if support breaks down or things change",
    )
    contacts = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Who to contact",
        help_text="Names and numbers the person can call about the plan",
    )
    agreed_on = DateField(
        kind=dates.PAST,
        required=False,
        label="Agreed on",
        help_text="The day the person (or their representative or nominee) agreed the plan. For example, 1 12 2026",
    )
    agreed_by = forms.ChoiceField(
        choices=[("", "Not agreed yet"), *AgreedBy.choices], required=False, label="Agreed by"
    )
    agreed_by_name = forms.CharField(required=False, max_length=200, label="Name of who agreed")

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["person"].queryset = Person.objects.for_org(self.organisation)
        self.fields["person"].bind_to(
            organisation=self.organisation, data=self.data if self.is_bound else None
        )
        if plan is not None:
            # The person of a plan version does not change.
            del self.fields["person"]

    def clean(self):
        data = super().clean()
        amounts = {stream: data.get(f"funding_{stream}") for stream in ("nhs", "social_care", "education")}
        if any(amount is not None for amount in amounts.values()):
            for stream, amount in amounts.items():
                data[f"funded_{stream}"] = bool(amount)
                data[f"funding_{stream}"] = amount or None
        elif self.plan is not None:
            # No amounts given on an edit: the plan keeps the streams it had (posting it back changes nothing).
            data.update(
                funded_nhs=self.plan.funded_nhs,
                funded_social_care=self.plan.funded_social_care,
                funded_education=self.plan.funded_education,
            )
        else:
            data.update(funded_nhs=True, funded_social_care=False, funded_education=False)
        for message in dates.period_problems(data.get("start_date"), data.get("end_date")):
            self.add_error("end_date", message)
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("person", None)
        data.pop("referral", None)
        return data


class GoalForm(PlainErrorsMixin, forms.Form):
    description = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Goal, in the person's words",
        error_messages={"required": "Enter the goal, in the person's words"},
    )
    how_budget_helps = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How the budget helps",
    )


class ItemForm(PlainErrorsMixin, forms.Form):
    description = forms.CharField(
        max_length=300, label="What it is", error_messages={"required": "Enter what the budget pays for"}
    )
    category = forms.ChoiceField(
        choices=(), label="Spend category", error_messages={"required": "Select a spend category"}
    )
    supplier_name = forms.CharField(max_length=200, required=False, label="Supplier or provider")
    supplier_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    amount = amount_field(label="Amount (£)", error_messages={"required": "Enter the amount, like 25.50"})
    frequency = forms.ChoiceField(
        choices=[("", "Choose how often"), *Frequency.choices],
        label="How often",
        error_messages={"required": "Select how often it is paid"},
    )
    start_date = DateField(required=False, picker=True, label="Start date")
    end_date = DateField(required=False, picker=True, label="End date")
    payment_method = forms.ChoiceField(
        choices=[("", "Not decided"), *PaymentMethod.choices], required=False, label="Payment method"
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["category"].choices = category_choices(organisation)

    def clean(self):
        data = super().clean()
        for message in dates.period_problems(
            data.get("start_date"), data.get("end_date"), noun="item", max_years=None
        ):
            self.add_error("end_date", message)
        supplier_id = data.get("supplier_id")
        data["supplier"] = None
        if supplier_id:
            data["supplier"] = Supplier.objects.for_org(self.organisation).filter(pk=supplier_id).first()
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "category": data["category"],
            "supplier": data.get("supplier"),
            "supplier_name": data.get("supplier_name", ""),
            "amount": data["amount"],
            "frequency": data["frequency"],
            "start_date": data.get("start_date"),
            "end_date": data.get("end_date"),
            "payment_method": data.get("payment_method", ""),
        }


class RiskForm(PlainErrorsMixin, forms.Form):
    risk = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Risk",
        error_messages={"required": "Enter the risk"},
    )
    mitigation = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How it is managed",
        error_messages={"required": "Enter how the risk is managed"},
    )


class EditorFormSet(PlainFormSet):
    """Rows shown filled in on the page; once posted, a row left empty is simply not kept."""

    def initial_form_count(self):
        return 0 if self.is_bound else super().initial_form_count()


GoalFormSet = forms.formset_factory(GoalForm, formset=EditorFormSet, extra=0, can_delete=True, max_num=50)
ItemFormSet = forms.formset_factory(ItemForm, formset=EditorFormSet, extra=0, can_delete=True, max_num=100)
RiskFormSet = forms.formset_factory(RiskForm, formset=EditorFormSet, extra=0, can_delete=True, max_num=50)


def formsets_for(organisation, data=None, goals=(), items=(), risks=()):
    """The editor's three formsets, with prefixes the page's add-row script knows."""
    return {
        "goals": GoalFormSet(data, prefix="goals", initial=list(goals) or None),
        "items": ItemFormSet(
            data, prefix="items", initial=list(items) or None, form_kwargs={"organisation": organisation}
        ),
        "risks": RiskFormSet(data, prefix="risks", initial=list(risks) or None),
    }


def rows(formset) -> list[dict]:
    """The filled-in rows of a valid formset (empty and deleted rows left out)."""
    kept = []
    for form in formset.forms:
        if not form.has_changed() or form.cleaned_data.get("DELETE"):
            continue
        kept.append(
            form.service_fields()
            if hasattr(form, "service_fields")
            else {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        )
    return kept


def preview_lines(data) -> tuple[list[costs.Line], int]:
    """Items typed so far, as cost lines, for the live costs panel; rows not yet valid are counted."""
    lines, incomplete = [], 0
    try:
        total = min(int(data.get("items-TOTAL_FORMS", 0)), 200)
    except ValueError:
        total = 0
    for index in range(total):
        prefix = f"items-{index}-"
        if data.get(prefix + "DELETE"):
            continue
        amount_text = (data.get(prefix + "amount") or "").strip()
        if not amount_text and not (data.get(prefix + "description") or "").strip():
            continue
        field = amount_field()
        try:
            amount = field.clean(amount_text)
            frequency = data.get(prefix + "frequency")
            if frequency not in Frequency.values:
                raise forms.ValidationError("frequency")
            start = DateField(required=False).clean(data.get(prefix + "start_date"))
            end = DateField(required=False).clean(data.get(prefix + "end_date"))
        except forms.ValidationError:
            incomplete += 1
            continue
        lines.append(costs.Line(amount=amount, frequency=frequency, start_date=start, end_date=end))
    return lines, incomplete


class CloseForm(PlainErrorsMixin, forms.Form):
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *CloseReason.choices], label="Reason for closing"
    )
    closed_on = DateField(label="Closed on", error_messages={"required": "Enter the date the budget closed"})
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Note"
    )


class StatusFilterForm(PlainErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *PlanStatus.choices], required=False, label="Status"
    )


class SupplierForm(OrgForm):
    name = forms.CharField(max_length=200, label="Supplier name")
    service = forms.CharField(max_length=200, required=False, label="Service or product")
    category = forms.ChoiceField(choices=(), required=False, label="Spend category")
    contact = forms.CharField(max_length=200, required=False, label="Contact details")
    typical_amount = amount_field(required=False, label="Typical amount (£)")
    typical_frequency = forms.ChoiceField(
        choices=[("", "Not known"), *Frequency.choices], required=False, label="Typical frequency"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(self.organisation)


class FastTrackOfferForm(OrgForm):
    name = forms.CharField(max_length=200, label="Offer name")
    description = forms.CharField(max_length=300, label="What the plan item says")
    category = forms.ChoiceField(choices=(), label="Spend category")
    amount = amount_field(label="Amount (£)")
    frequency = forms.ChoiceField(choices=Frequency.choices, label="How often")
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), required=False, label="Supplier")
    payment_method = forms.ChoiceField(
        choices=[("", "Not decided"), *PaymentMethod.choices], required=False, label="Payment method"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(self.organisation)
        self.fields["supplier"].queryset = Supplier.objects.for_org(self.organisation)


class FastTrackChoiceForm(OrgForm):
    offer = forms.ModelChoiceField(queryset=FastTrackOffer.objects.none(), label="Fast-track offer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = FastTrackOffer.objects.for_org(self.organisation).filter(
            is_active=True
        )
