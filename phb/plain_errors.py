"""The API's 400 answers in plain English: DRF's default messages replaced by ones that name the field.

"This field is required." says nothing about which field or what to do; the answer says
"Enter the date of birth". Messages a service or serializer wrote itself are left as they are.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ErrorDetail

ACRONYMS = {"nhs": "NHS", "phb": "PHB", "id": "id", "ods": "ODS"}
NOUNS = {
    "person": "person (the id of a person recorded here)",
    "management": "way the budget is managed",
    "to_org": "ODS code of the organisation",
    "up_to": "upper bound",
}


def noun(field: str) -> str:
    """'date_of_birth' -> 'date of birth', 'nhs_number' -> 'NHS number'."""
    if field in NOUNS:
        return NOUNS[field]
    return " ".join(ACRONYMS.get(word, word) for word in field.split("_") if word) or "value"


def _number(message: str) -> str:
    match = re.search(r"(-?[\d.,]+)\.?$", message)
    return match.group(1).rstrip(".") if match else ""


def plain(message: ErrorDetail | str, field: str) -> str:
    code = getattr(message, "code", None)
    text = str(message)
    what = noun(field)
    subject = what[:1].upper() + what[1:]
    if code == "wrong_type":  # a JSON value of another type than the schema's (phb/serializers.py)
        return f"{subject} {text}"
    if code in ("required", "null", "blank", "empty"):
        return f"Enter the {what}"
    if code == "invalid":
        if text.startswith("Date has wrong format"):
            return f"{subject} must be a real date, written YYYY-MM-DD (like 2026-12-01)"
        if text.startswith("Datetime has wrong format"):
            return f"{subject} must be a date and time, like 2026-12-01T09:30:00Z"
        if text == "A valid integer is required.":
            return f"{subject} must be a whole number"
        if text == "A valid number is required.":
            return f"{subject} must be a number, like 25.50"
        if text == "Must be a valid boolean.":
            return f"{subject} must be true or false"
        if text == "Enter a valid email address.":
            return "Enter an email address in the correct format, like name@example.com"
        if text.startswith("Invalid data. Expected a dictionary"):
            return f"{subject} must be an object of named fields"
    if code == "max_length" and text.startswith("Ensure this field has no more than"):
        if " elements" in text:  # a list: "Ensure this field has no more than 200 elements."
            return f"{subject} can have at most {_number(text.split(' elements')[0])}"
        return f"{subject} must be {_number(text.split(' characters')[0])} characters or fewer"
    if code == "min_length" and text.startswith("Ensure this field has at least"):
        return f"{subject} must be {_number(text.split(' characters')[0])} characters or more"
    if code == "min_value" and text.startswith("Ensure this value is greater than or equal to"):
        return f"{subject} must be {_number(text)} or more"
    if code == "max_value" and text.startswith("Ensure this value is less than or equal to"):
        return f"{subject} must be {_number(text)} or less"
    if code in ("max_digits", "max_whole_digits"):
        return f"{subject} is too large"
    if code == "max_decimal_places":
        return f"{subject} must have at most 2 decimal places, like 25.50"
    if code == "invalid_choice":
        choice = text.split('" is not a valid choice')[0].lstrip('"')
        return f'"{choice}" is not one of the codes for {what}'
    if code == "not_a_list":
        return f"{subject} must be a list"
    if code == "does_not_exist":
        return f"No such {what} here"
    return text


def _name(key, parent: str) -> str:
    """The field a nested message is about: a list position or non_field_errors keeps the parent's."""
    if not isinstance(key, str) or key.isdigit() or key == "non_field_errors":
        return parent
    return key


def plain_detail(detail, field: str = "detail"):
    """DRF's error detail (dicts, lists, strings) with every default message made plain."""
    if isinstance(detail, dict):
        return {key: plain_detail(value, _name(key, field)) for key, value in detail.items()}
    if isinstance(detail, list):
        return [plain_detail(value, field) for value in detail]
    if isinstance(detail, str):
        return plain(detail, field)
    return detail
