"""DRF's serializers module, with fields that take a JSON body's values only as the schema types them.

DRF reads input generously: `12` for a text field becomes "12", `"12"` or `12.0` for a whole
number becomes 12, `1`, `"yes"` or `"on"` for a boolean becomes true, `250` for money becomes
£250.00. The OpenAPI schema (what generated clients are built from) says a text field is a string,
a boolean is true or false, a whole number is an integer and money is a string like "250.00"
(API.md, Conventions); the API holds JSON bodies to exactly that and answers a 400 naming the field
("Amount must be money written as a string, like "25.50"", phb/plain_errors.py).

Only a body parsed from JSON is held to it (`phb.bad_input.JSONParser` marks what it parses): a
multipart body (a receipt, an import sheet), form data from the pages and the rows of an import
sheet are text by nature and are read as DRF reads them.

Every serializer of the API imports this module in place of `rest_framework.serializers`
(`from phb import serializers`): the field classes named here replace DRF's, hand-declared or
made by a ModelSerializer, and everything else is DRF's own.
"""

from __future__ import annotations

import re

from rest_framework import relations
from rest_framework import serializers as drf
from rest_framework.serializers import *  # noqa: F403 (the rest of DRF's module, unchanged)

WRONG_TYPE = "wrong_type"
DECIMAL_TEXT = re.compile(r"-?\d+(?:\.\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}


class JSONObject(dict):
    """A JSON object as the API's JSON parser reads it: a dict that says it came from JSON."""


class JSONArray(list):
    """A JSON array as the API's JSON parser reads it (a body that is a list)."""


def from_json(field) -> bool:
    """Whether the value a field is reading belongs to a body parsed from JSON."""
    return isinstance(getattr(field.root, "initial_data", None), JSONObject | JSONArray)


def _is_whole_number(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


class StrictInput:
    """Refuses a JSON value of another type than the schema gives the field, before DRF converts it."""

    #: What the field takes, as the error says it: "<Field> must be <expects>".
    expects = "text"

    def accepts(self, value) -> bool:
        return isinstance(value, str)

    def refuse_wrong_type(self, data) -> None:
        if from_json(self) and not self.accepts(data):
            raise drf.ValidationError(f"must be {self.expected(data)}", code=WRONG_TYPE)

    def expected(self, value) -> str:
        return self.expects

    def run_validation(self, data=drf.empty):
        # Before DRF's own reading of empty values ("" is null for a nullable number).
        if data is not drf.empty and data is not None:
            self.refuse_wrong_type(data)
        return super().run_validation(data)  # type: ignore[misc]

    def to_internal_value(self, data):
        self.refuse_wrong_type(data)  # a related field's list reads each id here
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(StrictInput, drf.CharField):
    pass


class StringOrIntegerField(CharField):
    """Text that may also be sent as a whole number: a record named by its id or its name (a team, a
    care coordinator), a goal's attainment from -2 to 2. Read as text either way; published as a
    string or an integer (phb/schema.py)."""

    expects = "text, or a whole number"

    def accepts(self, value) -> bool:
        return isinstance(value, str) or _is_whole_number(value)

    def to_internal_value(self, data):
        if _is_whole_number(data):
            data = str(int(data))
        return super().to_internal_value(data)


class EmailField(StrictInput, drf.EmailField):
    pass


class RegexField(StrictInput, drf.RegexField):
    pass


class SlugField(StrictInput, drf.SlugField):
    pass


class URLField(StrictInput, drf.URLField):
    pass


class UUIDField(StrictInput, drf.UUIDField):
    pass


class IPAddressField(StrictInput, drf.IPAddressField):
    pass


class DurationField(StrictInput, drf.DurationField):
    pass


class BooleanField(StrictInput, drf.BooleanField):
    expects = "true or false"

    def accepts(self, value) -> bool:
        return isinstance(value, bool)


class IntegerField(StrictInput, drf.IntegerField):
    expects = "a whole number"

    def accepts(self, value) -> bool:
        return _is_whole_number(value)


class FloatField(StrictInput, drf.FloatField):
    expects = "a number"

    def accepts(self, value) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)


class DecimalField(StrictInput, drf.DecimalField):
    """Money and other decimals are published as strings ("250.00"), so they are taken as strings."""

    expects = 'written as a string, like "25.50"'

    def accepts(self, value) -> bool:
        if self.takes_numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        return isinstance(value, str) and DECIMAL_TEXT.fullmatch(value) is not None

    def expected(self, value) -> str:
        return "a number, like 25.50" if isinstance(value, str) or self.takes_numbers else self.expects

    @property
    def takes_numbers(self) -> bool:
        """A decimal answered as a JSON number (not money: a score) is taken as a number or as a
        string of digits, and published as either (phb/schema.py)."""
        return getattr(self, "coerce_to_string", None) is False


class DateField(StrictInput, drf.DateField):
    """A date as the schema's `format: date` writes it (Python would also read "20261201")."""

    expects = "a real date, written YYYY-MM-DD (like 2026-12-01)"

    def accepts(self, value) -> bool:
        return isinstance(value, str) and ISO_DATE.fullmatch(value) is not None


def _json_type(value) -> type:
    """The JSON type of a value: a TextChoices member is a str, True is no int."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind
    return type(value)


def _choice_types(field) -> set[type]:
    return {_json_type(key) for key in field.choices}


class ChoiceField(StrictInput, drf.ChoiceField):
    expects = "one of the codes, as text"

    def accepts(self, value) -> bool:
        return _json_type(value) in _choice_types(self) or (value == "" and self.allow_blank)


class MultipleChoiceField(StrictInput, drf.MultipleChoiceField):
    expects = "a list of codes"

    def accepts(self, value) -> bool:
        types = _choice_types(self)
        return isinstance(value, list) and all(_json_type(item) in types for item in value)


class PrimaryKeyRelatedField(StrictInput, drf.PrimaryKeyRelatedField):
    expects = "an id (a whole number)"

    def accepts(self, value) -> bool:
        model = self.queryset.model if self.queryset is not None else None
        if model is not None and model._meta.pk.get_internal_type() not in INTEGER_KEYS:
            return isinstance(value, str)
        return _is_whole_number(value)


class SlugRelatedField(StrictInput, relations.SlugRelatedField):
    pass


STRICT = {
    drf_class: strict
    for drf_class, strict in [
        (drf.CharField, CharField),
        (drf.EmailField, EmailField),
        (drf.RegexField, RegexField),
        (drf.SlugField, SlugField),
        (drf.URLField, URLField),
        (drf.UUIDField, UUIDField),
        (drf.IPAddressField, IPAddressField),
        (drf.DurationField, DurationField),
        (drf.BooleanField, BooleanField),
        (drf.IntegerField, IntegerField),
        (drf.FloatField, FloatField),
        (drf.DecimalField, DecimalField),
        (drf.DateField, DateField),
        (drf.ChoiceField, ChoiceField),
        (drf.MultipleChoiceField, MultipleChoiceField),
    ]
}


class ModelSerializer(drf.ModelSerializer):
    """DRF's ModelSerializer building the strict fields above from the model's fields."""

    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in drf.ModelSerializer.serializer_field_mapping.items()
    }
    serializer_related_field = PrimaryKeyRelatedField
    serializer_choice_field = ChoiceField
