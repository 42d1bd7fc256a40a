"""Query-string values of the API, read strictly: a value the schema does not allow is a 400 naming it."""

from rest_framework.exceptions import ValidationError


def flag(params, name: str) -> bool:
    """A boolean query parameter, written as the schema's booleans are: `true` or `false`; absent is
    false. Anything else (`1`, `yes`, `True`) is a 400, as the schema allows only those two."""
    raw = params.get(name)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise ValidationError({name: ["Use true or false."]})


def given(params, name: str) -> str | None:
    """A parameter's value, or None when absent; present but empty is a 400 (say nothing, or say it)."""
    raw = params.get(name)
    if raw is not None and not raw.strip():
        raise ValidationError({name: ["Leave this out, or give a value."]})
    return raw
