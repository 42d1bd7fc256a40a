"""Query-string values of the API, read strictly: a value the schema does not allow is a 400 naming it."""

from rest_framework.exceptions import ValidationError

TRUE, FALSE = ("true", "1"), ("false", "0")


def flag(params, name: str) -> bool:
    """A boolean query parameter (`true`/`false`, `1`/`0`); absent is false."""
    raw = params.get(name)
    if raw is None:
        return False
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ValidationError({name: ["Use true or false."]})


def given(params, name: str) -> str | None:
    """A parameter's value, or None when absent; present but empty is a 400 (say nothing, or say it)."""
    raw = params.get(name)
    if raw is not None and not raw.strip():
        raise ValidationError({name: ["Leave this out, or give a value."]})
    return raw
