"""NHS number validation: ten digits with a modulus 11 check digit."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from phb.nhs_number import normalise_nhs_number, validate_nhs_number


def check_digit(nine: str) -> int | None:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


# Numbers from 010 101 0000 to 311 299 9999 are Scottish CHI numbers, which also encode a date of
# birth (the nhs-number package checks it); English and Welsh numbers start 4 to 9.
@given(st.sampled_from("456789"), st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_a_number_with_the_right_check_digit_is_accepted_and_any_other_refused(first, rest):
    nine = first + rest
    expected = check_digit(nine)
    for last in range(10):
        number = nine + str(last)
        if last == expected:
            validate_nhs_number(number)
        else:
            with pytest.raises(ValidationError):
                validate_nhs_number(number)


@given(
    st.text(min_size=0, max_size=14).filter(
        lambda s: not (len(normalise_nhs_number(s)) == 10 and normalise_nhs_number(s).isdigit())
    )
)
def test_anything_but_ten_digits_is_refused(value):
    with pytest.raises(ValidationError):
        validate_nhs_number(value)


def test_spaces_as_printed_on_letters_are_allowed():
    validate_nhs_number("943 476 5919")
    assert normalise_nhs_number("943 476 5919") == "9434765919"


def test_the_error_explains_what_to_enter():
    with pytest.raises(ValidationError) as error:
        validate_nhs_number("9434765918")
    assert "check digit" in str(error.value)
