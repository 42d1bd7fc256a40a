"""NHS number validation: ten digits with a modulus 11 check digit (the nhs-number package)."""

import nhs_number
from django.core.exceptions import ValidationError


def normalise_nhs_number(value: str) -> str:
    return "".join(str(value).split()).replace("-", "")


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdecimal():
        raise ValidationError(
            "Enter an NHS number of 10 digits, like 943 476 5919.", code="nhs_number_length"
        )
    if not nhs_number.is_valid(digits):
        raise ValidationError(
            "Enter a valid NHS number: the check digit does not match.", code="nhs_number_check"
        )
