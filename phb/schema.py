"""What the OpenAPI schema says about errors: one shared error body and every status the API answers.

drf-spectacular documents each operation's success answer from its serializer; the error answers
come from the kernel (the exception handler in `phb/exceptions.py`, the access mixins, the request
limits) and are the same for every operation, so they are added here once, by a postprocessing hook,
rather than repeated on ~100 views. A generated client then knows every answer it can get:

- 400 for any operation (bad input in the body, the query or the path: field -> messages, or
  `{"detail"}`);
- 401 for any operation that needs credentials; 403 for a member whose role does not allow it;
- 404 for any operation under an organisation or with an id in its path, for a page past the
  last of a list, and for the addresses of one kind of account (a budget holder's, a provider's)
  to any other;
- 409 for any write (a state change not allowed now, an overspend, an idempotency key reused);
- 413 for any operation with a body (over the size limit).

Some input the schema allows is still refused, by a rule no JSON schema can state: an NHS number's
check digit, an id that must be of a person of this organisation, a date that must be in the past, a
category code the organisation defines. Each operation's 400 answer names those fields and their
rules in `x-rules` ({field: rule}), found from the request serializer (dates, ids, money with a
lower bound, fields with their own validation) and from the view's `input_rules` for rules its
service applies; the conformance test allows a 400 for schema-valid input only when every field it
names is among them (tests/test_api_conformance.py).

Money is published as the API reads it (phb/serializers.py): a string of digits with at most two
decimals, no sign where it cannot be negative, and no more than its maximum where the maximum is a
whole number of pounds, so that a value the schema allows is one the field takes.
"""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import relations
from rest_framework import serializers as drf

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong, in plain English.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each field (or `non_field_errors`) maps to a list of messages; "
        "a problem with the request as a whole is `detail`."
    ),
    "additionalProperties": {},
}

DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "No credentials, or the token has expired or was revoked",
    "403": "A member whose role does not allow this",
    "404": "Not found, or in an organisation you are not a member of",
    "409": "Not allowed in the current state",
    "413": "The request body is too large",
}
WRITES = {"post", "put", "patch", "delete"}


def at_most(maximum: int) -> str:
    """A regular expression for the whole numbers from 0 to `maximum` written in digits."""
    digits = str(maximum)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same_length = [
        digits[:i]
        + (f"[0-{int(digit) - 1}]" if digit != "1" else "0")
        + (rf"\d{{{len(digits) - i - 1}}}" if i < len(digits) - 1 else "")
        for i, digit in enumerate(digits)
        if digit != "0"
    ]
    return "|".join([*shorter, *same_length])


def decimal_pattern(field) -> str:
    """The pattern of a decimal field's strings: its sign, whole digits, places and whole maximum."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    places = rf"(?:\.\d{{1,{field.decimal_places}}})?"
    maximum = field.max_value
    if maximum is None or maximum < 0 or maximum != int(maximum) or sign:
        whole = field.max_whole_digits or 1
        return rf"^{sign}\d{{1,{whole}}}{places}$"
    top = int(Decimal(maximum))
    exact = rf"{top}(?:\.0{{1,{field.decimal_places}}})?"
    return rf"^(?:(?:{at_most(top)}){places}|{exact})$"


class DecimalFieldExtension(OpenApiSerializerFieldExtension):
    """The API's decimal fields (money) as strings of the pattern `decimal_pattern` gives; a decimal
    answered as a number (a score) as a number or such a string, as it is read."""

    target_class = "phb.serializers.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.takes_numbers:  # a number, or its digits as a string
            text = {"type": "string", "format": "decimal", "pattern": decimal_pattern(self.target)}
            return {"oneOf": [schema, text]}
        schema["pattern"] = decimal_pattern(self.target)
        return schema


DATE_RULE = "a date from 1900 to 2100, and where it says so, today or in the past (or later)"
ID_RULE = "the id of one of this organisation's records"
RULES_KEY = "x-rules"


def _field_rule(serializer, name: str, field) -> str | None:
    """The rule beyond its schema that a request field's value is held to, or None."""
    if getattr(serializer, f"validate_{name}", None) is not None:
        method = getattr(serializer, f"validate_{name}")
        return (method.__doc__ or "checked against this organisation's records").strip().split("\n")[0]
    return _value_rule(field)


def _value_rule(field) -> str | None:
    if field.read_only:
        return None
    if isinstance(field, drf.DateField | drf.DateTimeField):
        return DATE_RULE
    if isinstance(field, relations.RelatedField | relations.ManyRelatedField):
        return ID_RULE
    if isinstance(field, drf.DecimalField) and field.min_value is not None and field.min_value > 0:
        return f"at least {field.min_value}"
    if isinstance(field, drf.ListField | drf.DictField):
        return _value_rule(field.child)
    if isinstance(field, drf.ListSerializer):
        return _value_rule(field.child)
    if isinstance(field, drf.Serializer):
        nested = serializer_rules(field)
        return "; ".join(f"{name}: {rule}" for name, rule in nested.items()) or None
    custom = [
        v for v in field.validators if not type(v).__module__.startswith(("django.", "rest_framework."))
    ]
    return "its own check" if custom else None


def serializer_rules(serializer) -> dict[str, str]:
    """The rules of a request serializer's fields (and its cross-field rules) beyond the schema."""
    rules = {}
    for name, field in serializer.fields.items():
        rule = _field_rule(serializer, name, field)
        if rule:
            rules[name] = rule
    if type(serializer).validate is not drf.Serializer.validate:
        rules["non_field_errors"] = "the fields taken together"
    return rules


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, documenting in each operation's 400 the input rules beyond the schema."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None or self.method.lower() not in WRITES | {"get"}:
            return operation
        rules = dict(getattr(self.view, "input_rules", {}))
        if "requestBody" not in operation:  # a view's rules about its body are not its query's
            parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
            rules = {field: rule for field, rule in rules.items() if field in parameters}
        serializer = force_instance(self.get_request_serializer()) if "requestBody" in operation else None
        if isinstance(serializer, drf.Serializer):
            rules = {**serializer_rules(serializer), **rules}
        if rules:
            listed = "; ".join(f"`{field}`: {rule}" for field, rule in rules.items())
            operation.setdefault("responses", {})["400"] = {
                "description": f"{DESCRIPTIONS['400']}. Also refused, by rules beyond the schema: {listed}",
                "content": _reference(FIELD_ERRORS),
                RULES_KEY: rules,
            }
        return operation


class StringOrIntegerFieldExtension(OpenApiSerializerFieldExtension):
    """Text that may also be sent as a whole number: a string or an integer."""

    target_class = "phb.serializers.StringOrIntegerField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        meta = {key: schema.pop(key) for key in ("description", "nullable", "default") if key in schema}
        return {"oneOf": [schema, {"type": "integer"}], **meta}


def _reference(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _needs_credentials(operation: dict, default_security: list) -> bool:
    security = operation.get("security", default_security)
    return bool(security) and {} not in security


ONE_KIND_OF_ACCOUNT = ("/api/v1/me/", "/api/v1/provider/")


def error_statuses(method: str, path: str, operation: dict, default_security: list) -> list[str]:
    """The error statuses an operation can answer, by the rules in the module's docstring."""
    statuses = ["400"]
    if _needs_credentials(operation, default_security):
        statuses += ["401", "403"]
    paginated = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
    # A page past the last is a 404 too; so is an address of one kind of account to any other (a
    # budget holder's /me/ to staff and providers, as every staff address is to them).
    if "{" in path or paginated or path.startswith(ONE_KIND_OF_ACCOUNT):
        statuses.append("404")
    if method in WRITES:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("413")
    return statuses


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the shared error components and each operation's errors."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR] = ERROR_SCHEMA
    schemas[FIELD_ERRORS] = FIELD_ERRORS_SCHEMA
    default_security = result.get("security", [])
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_statuses(method, path, operation, default_security):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": _reference(FIELD_ERRORS if code == "400" else ERROR),
                    },
                )
    return result
