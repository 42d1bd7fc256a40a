"""Form fields every page shares: the one date field, and plain-English error messages.

The date field follows the NHS.UK design system: dates people know (a date of birth, the day a
review was held, the day a plan was agreed) are typed as day, month and year boxes (the
`nhsuk-date-input` component); dates chosen from a calendar (a plan's start) use the browser's
own date picker, which only accepts `yyyy-mm-dd`, so the field always renders the saved value in
that form. Either way the value typed is checked by the rules of `phb.dates`.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.functional import cached_property

from . import dates

ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
UK = re.compile(r"^\s*(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})\s*$")
PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class DateInput(forms.Widget):
    """Day, month and year boxes (NHS.UK date input); posts `<name>-day`, `-month`, `-year`."""

    template_name = "phb/widgets/date_input.html"

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return [str(part or "") for part in value]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value.strip():
            day = parse_text(value)
            if day:
                return [str(day.day), str(day.month), str(day.year)]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        error = "nhsuk-input--error" in (widget["attrs"].get("class") or "")
        base = widget["attrs"].get("id") or name
        widget["parts"] = [
            {
                "name": f"{name}-{part}",
                "id": f"{base}-{part}",
                "label": label,
                "value": typed,
                "class": f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}"
                + (" nhsuk-input--error" if error else ""),
                "autocomplete": widget["attrs"].get(f"autocomplete-{part}", ""),
            }
            for (part, label, width), typed in zip(PARTS, widget["value"], strict=True)
        ]
        return context

    def value_from_datadict(self, data, files, name):
        keys = [f"{name}-{part}" for part, _, _ in PARTS]
        if any(key in data for key in keys):
            return [(data.get(key) or "").strip() for key in keys]
        return data.get(name)  # one value, as an API client or an older page posts it

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}-{part}" in data for part, _, _ in PARTS)

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_


class DatePicker(forms.DateInput):
    """The browser's date picker, for dates chosen from a calendar: always `yyyy-mm-dd`."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            day = parse_text(value)
            return day.isoformat() if day else value
        return super().format_value(value)


def parse_text(text: str) -> datetime.date | None:
    """A date typed as one piece of text, `2026-12-01` or `1/12/2026`; None when it is not one."""
    match = ISO.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = UK.match(text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


class DateField(forms.Field):
    """The product's one date field: `kind` says which rules of `phb.dates` apply, `picker` which widget."""

    def __init__(self, *, kind: str = dates.ANY, picker: bool = False, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", DatePicker() if picker else DateInput())
        super().__init__(**kwargs)

    @property
    def subject(self) -> str:
        return str(self.label or "Date")

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return self._from_parts([str(part or "").strip() for part in value])
        text = str(value).strip()
        if not text:
            return None
        day = parse_text(text)
        if day is None:
            raise ValidationError(f"{self.subject} must be a real date, like 14 5 1979", code="invalid")
        return day

    def _from_parts(self, parts: list[str]) -> datetime.date | None:
        if not any(parts):
            return None
        missing = [name for (name, _, _), part in zip(PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{self.subject} must include a {' and '.join(missing)}", code="incomplete")
        if not all(part.isdecimal() for part in parts):
            raise ValidationError(f"{self.subject} must be a real date", code="invalid")
        if len(parts[2]) != 4:
            raise ValidationError(f"{self.subject}: the year must include 4 numbers", code="invalid")
        try:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError as error:
            raise ValidationError(f"{self.subject} must be a real date", code="invalid") from error

    def validate(self, value):
        super().validate(value)
        messages = dates.problems(value, label=self.subject, kind=self.kind)
        if messages:
            raise ValidationError(messages[0], code="implausible_date")

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


def clean_date(value) -> datetime.date | None:
    """What the date field makes of a posted value, None where it is not a date (the costs panel)."""
    try:
        return DateField(required=False).to_python(value)
    except ValidationError:
        return None


# --- Plain-English messages


def _noun(label: str) -> str:
    text = re.sub(r"\s*\(£\)", "", label).strip()
    if text[:2].isupper() or text.startswith("NHS"):
        return text
    return text[:1].lower() + text[1:]


def plain_messages(name: str, field: forms.Field) -> None:
    """Replace Django's default messages ("This field is required.") with ones that name the field."""
    if field.label is None:
        field.label = pretty_name(name)
    label = str(field.label)
    noun = _noun(label)
    subject = re.sub(r"\s*\(£\)", "", label).strip()
    money = "£" in label
    defaults = forms.Field.default_error_messages
    choice = isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    messages = dict(field.error_messages)
    if messages.get("required") == defaults["required"]:
        messages["required"] = f"Select {noun}" if choice else f"Enter {noun}"
    plain = {
        "invalid_choice": f"Select {noun} from the list",  # noqa: S608 (a message, not SQL)
        "invalid_list": f"Select {noun} from the list",  # noqa: S608 (a message, not SQL)
        "invalid_pk_value": f"Select {noun} from the list",  # noqa: S608 (a message, not SQL)
        "max_length": f"{subject} must be %(limit_value)d characters or fewer",
        "min_length": f"{subject} must be %(limit_value)d characters or more",
        "min_value": f"{subject} must be {'£' if money else ''}%(limit_value)s or more",
        "max_value": f"{subject} must be {'£' if money else ''}%(limit_value)s or less",
        "max_digits": f"{subject} must be {'£' if money else ''}1,000,000 or less",
        "max_decimal_places": f"{subject} must be in pounds and pence, like 25.50"
        if money
        else f"{subject} must have no more than %(max)s decimal places",
        "max_whole_digits": f"{subject} is too large",
        "missing": f"Choose a file for {noun}",
        "empty": f"The file for {noun} is empty",
    }
    if isinstance(field, forms.IntegerField):
        plain["invalid"] = f"{subject} must be a whole number, like 12"
    if isinstance(field, forms.DecimalField):
        plain["invalid"] = (
            f"{subject} must be an amount in pounds and pence, like 25.50"
            if money
            else (f"{subject} must be a number")
        )
    if isinstance(field, forms.EmailField):
        plain["invalid"] = "Enter an email address in the correct format, like name@example.com"
    for code, message in plain.items():
        if code in messages or code in ("min_value", "max_value", "max_length", "min_length", "max_digits"):
            messages[code] = message
    field.error_messages = messages


class PlainErrorsMixin:
    """Every form of the product: messages in plain English that say which field and what to do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.make_messages_plain()

    def make_messages_plain(self) -> None:
        for name, field in self.fields.items():
            plain_messages(name, field)

    def full_clean(self):
        # Fields a form adds after __init__ (one per goal, per role) get plain messages too.
        self.make_messages_plain()
        super().full_clean()


INCOMPLETE_POST = "This form was not sent in full. Reload the page and try again"


class PlainFormSet(forms.BaseFormSet):
    """A formset whose own problems (rows missing from the post, too many rows) read plainly too."""

    default_error_messages = {
        "missing_management_form": INCOMPLETE_POST,
        "too_many_forms": "Enter at most %(num)d rows",
        "too_few_forms": "Enter at least %(num)d rows",
    }

    @cached_property
    def management_form(self):
        form = super().management_form
        for field in form.fields.values():
            field.error_messages = {"required": INCOMPLETE_POST, "invalid": INCOMPLETE_POST}
        if form.is_bound:
            form.full_clean()  # Django validated it with its own messages already
        return form


# --- Choosing a person


class PersonPicker(forms.Widget):
    """Search as you type by name or NHS number (htmx), picking from the results as radios.

    Without JavaScript the Search button posts the form as it is (nothing typed is lost) and the
    page comes back with the results; the form's own field says to choose one.
    """

    template_name = "phb/widgets/person_picker.html"
    search_suffix = "_q"
    button_suffix = "_search"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.organisation = None
        self.search_url = ""
        self.add_url = ""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def get_context(self, name, value, attrs):
        from . import selectors
        from .models import Person

        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        query = getattr(self, "query", "") or ""
        people = selectors.person_picker(organisation=self.organisation, query=query) if query else []
        chosen = None
        if value not in (None, "") and str(value).isdecimal() and self.organisation is not None:
            chosen = Person.objects.for_org(self.organisation).filter(pk=value).first()
        if chosen is not None and chosen not in people:
            people = [chosen, *people]
        widget.update(
            {
                "query": query,
                "people": people,
                "chosen": chosen.pk if chosen else None,
                "search_name": name + self.search_suffix,
                "button_name": name + self.button_suffix,
                "search_url": self.search_url,
                "add_url": self.add_url,
                "base_id": widget["attrs"].get("id") or name,
            }
        )
        return context

    def id_for_label(self, id_):
        return f"{id_}-search" if id_ else id_


class PersonField(forms.ModelChoiceField):
    """A person of the organisation, chosen with the picker (never a list of everyone)."""

    widget = PersonPicker

    def __init__(self, *, queryset, **kwargs):
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "required", "Search for the person by name or NHS number, then select them"
        )
        kwargs["error_messages"].setdefault("invalid_choice", "Select a person from the search results")
        super().__init__(queryset=queryset, **kwargs)

    def bind_to(self, *, organisation, data=None, prefix: str = "", name: str = "person") -> None:
        """Scope the picker to the organisation and read what was searched for from the post."""
        from django.urls import reverse

        self.widget.organisation = organisation
        self.widget.search_url = reverse("person-pick", kwargs={"org": organisation.code})
        self.widget.add_url = reverse("person-create", kwargs={"org": organisation.code})
        key = (prefix + "-" if prefix else "") + name
        self.widget.query = (data or {}).get(key + PersonPicker.search_suffix, "") if data is not None else ""
        self.searching = data is not None and key + PersonPicker.button_suffix in data

    def validate(self, value):
        if getattr(self, "searching", False):
            raise ValidationError("Select the person from the search results", code="searching")
        super().validate(value)
