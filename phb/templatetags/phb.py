"""Template helpers: NHS.UK form widgets, money, dates, status tags."""

from decimal import Decimal

from django import forms, template
from django.utils.html import format_html

from phb.constants import Role
from phb.fields import DateInput, PersonPicker
from phb.money import gbp

register = template.Library()

WIDGET_CLASS = {
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.FileInput: "nhsuk-file-upload",
}


@register.filter
def nhsuk_widget(field, extra_class=""):
    """Render a bound field's widget with the NHS.UK class, error state and hint/error references."""
    widget = field.field.widget
    css = next((c for kind, c in WIDGET_CLASS.items() if isinstance(widget, kind)), "nhsuk-input")
    if field.errors:
        css += f" {css}--error"
    if extra_class:
        css += f" {extra_class}"
    existing = widget.attrs.get("class", "")
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": f"{css} {existing}".strip()}
    if described and not isinstance(widget, DateInput | PersonPicker):  # a date's fieldset carries them
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInput):
        return "date"
    if isinstance(widget, PersonPicker):
        return "picker"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def role_label(code) -> str:
    """'care_coordinator' -> 'Care coordinator': a role as words, never its code."""
    try:
        return str(Role(str(code)).label)
    except ValueError:
        return str(code).replace("_", " ").capitalize()


@register.filter
def money(value) -> str:
    """£1,234.56 — money is Decimal throughout; this only formats it."""
    if value in (None, ""):
        return "—"
    if value == "*":  # a figure under disclosure control (reporting/disclosure.py)
        return value
    return gbp(Decimal(value))


STATUS_COLOURS = {
    "draft": "grey",
    "received": "grey",
    "submitted": "blue",
    "pending": "blue",
    "accepted": "blue",
    "approved": "green",
    "active": "green",
    "completed": "green",
    "continue": "green",
    "declined": "red",
    "returned": "orange",
    "overdue": "red",
    "withdrawn": "grey",
    "transferred": "purple",
    "closed": "grey",
    "superseded": "grey",
    "due": "yellow",
    "scheduled": "white",
}


@register.simple_tag
def status_tag(status, label=None):
    colour = STATUS_COLOURS.get(str(status), "grey")
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
        colour,
        label or str(status).replace("_", " ").capitalize(),
    )
