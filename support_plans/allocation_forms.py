"""Forms of the indicative budget: the questionnaire editor (commissioners) and the answers in the plan
editor (care coordinators). The rule itself is support_plans/allocation.py."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from phb import dates
from phb.fields import DateField, PlainErrorsMixin, PlainFormSet

from . import allocation as rules

ANSWER_SLOTS = 6


def code_from(text: str) -> str:
    """A code for a question or answer typed without one: its words, lower case, joined by underscores."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return words[:40].rstrip("_") or ""


class QuestionForm(PlainErrorsMixin, forms.Form):
    """One question and its answers (blank answer rows are left out)."""

    text = forms.CharField(label="Question", max_length=rules.TEXT_MAX, required=False)
    code = forms.CharField(
        label="Code",
        max_length=40,
        required=False,
        help_text="Left empty, made from the question's words. Keep it once plans use it.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
    )

    def __init__(self, *args, answer_slots: int = ANSWER_SLOTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer_slots = answer_slots
        for number in range(1, answer_slots + 1):
            self.fields[f"answer_{number}_text"] = forms.CharField(
                label=f"Answer {number}", max_length=rules.TEXT_MAX, required=False
            )
            self.fields[f"answer_{number}_code"] = forms.CharField(
                label=f"Answer {number} code",
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
            )
            self.fields[f"answer_{number}_points"] = forms.IntegerField(
                label=f"Answer {number} points",
                min_value=0,
                max_value=rules.MAX_POINTS,
                required=False,
                widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4"}),
            )

    def answer_rows(self):
        """The answer fields of each slot, for the template: (text, code, points)."""
        return [
            (self[f"answer_{n}_text"], self[f"answer_{n}_code"], self[f"answer_{n}_points"])
            for n in range(1, self.answer_slots + 1)
        ]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(value not in (None, "") for value in data.values())

    def as_question(self) -> dict:
        data = self.cleaned_data
        answers = []
        for number in range(1, self.answer_slots + 1):
            text = (data.get(f"answer_{number}_text") or "").strip()
            code = (data.get(f"answer_{number}_code") or "").strip()
            points = data.get(f"answer_{number}_points")
            if not text and not code and points is None:
                continue
            answers.append(
                {"code": code or code_from(text), "text": text, "points": 0 if points is None else points}
            )
        text = (data.get("text") or "").strip()
        return {"code": (data.get("code") or "").strip() or code_from(text), "text": text, "answers": answers}

    @staticmethod
    def initial_from(question: dict) -> dict:
        initial = {"text": question["text"], "code": question["code"]}
        for number, answer in enumerate(question["answers"], start=1):
            initial[f"answer_{number}_text"] = answer["text"]
            initial[f"answer_{number}_code"] = answer["code"]
            initial[f"answer_{number}_points"] = answer["points"]
        return initial


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=PlainFormSet, extra=1, max_num=rules.MAX_QUESTIONS, validate_max=True
)


def answer_slots_for(questions: list[dict]) -> int:
    """Room for every answer of the longest question, and one more, at least ANSWER_SLOTS."""
    longest = max((len(q["answers"]) for q in questions), default=0)
    return min(rules.MAX_ANSWERS, max(ANSWER_SLOTS, longest + 1))


def questions_from_formset(formset) -> tuple[list[dict], list[int]]:
    """The questions typed (blank rows skipped) and, for each, the index of its form (to place errors)."""
    questions, positions = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        questions.append(form.as_question())
        positions.append(index)
    return questions, positions


QUESTION_ERROR = re.compile(r"^questions\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\]\.(\w+))?")


def errors_onto_formset(formset, positions: list[int], errors: dict) -> list[str]:
    """Put the rule's messages ('questions[1].answers[0].points') against the fields they name; the
    rest (pounds per point, basis) are returned for the settings form."""
    rest = []
    for key, messages in errors.items():
        match = QUESTION_ERROR.match(key)
        if not match or int(match.group(1)) >= len(positions):
            if key.startswith("questions"):
                formset.non_form_errors().extend(messages)
            else:
                rest.append(key)
            continue
        form = formset.forms[positions[int(match.group(1))]]
        field = match.group(2)
        if match.group(3) is not None:
            # Answers are counted among the filled rows; place the message on that row's field.
            filled = [
                n
                for n in range(1, form.answer_slots + 1)
                if any(
                    form.cleaned_data.get(f"answer_{n}_{part}") not in (None, "")
                    for part in ("text", "code", "points")
                )
            ]
            index = int(match.group(3))
            field = f"answer_{filled[index]}_{match.group(4)}" if index < len(filled) else None
        elif field == "answers":
            field = "answer_1_text"
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    return rest


class QuestionnaireSettingsForm(PlainErrorsMixin, forms.Form):
    pounds_per_point = forms.DecimalField(
        label="Pounds per point (£)",
        min_value=Decimal("0.01"),
        max_value=rules.MAX_POUNDS_PER_POINT,
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "Enter the pounds per point, like 25.00"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "decimal"}),
    )
    basis = forms.ChoiceField(
        label="The indicative budget is",
        choices=[(rules.ANNUAL, "A year's budget"), (rules.WEEKLY, "A week's budget")],
        widget=forms.RadioSelect,
        initial=rules.ANNUAL,
        error_messages={"required": "Select whether the budget is for a year or a week"},
    )
    effective_from = DateField(
        kind=dates.FUTURE,
        picker=True,
        required=False,
        label="In force from",
        help_text="Leave empty for now, or give a later date (for example 1 April).",
    )


class AnswersForm(PlainErrorsMixin, forms.Form):
    """The questionnaire in force, in the plan editor: every question answered, or none (skipped)."""

    prefix = "allocation"

    def __init__(self, *args, questionnaire: rules.Questionnaire | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire.questions if questionnaire else ():
            self.fields[question.code] = forms.ChoiceField(
                label=question.text,
                required=False,
                choices=[
                    ("", "Not answered"),
                    *[
                        (a.code, f"{a.text} ({a.points} point{'s' if a.points != 1 else ''})")
                        for a in question.answers
                    ],
                ],
            )

    def clean(self):
        data = super().clean()
        given = {code: answer for code, answer in data.items() if answer}
        if given and len(given) < len(self.fields):
            raise forms.ValidationError(
                "Answer every question of the indicative budget, or leave them all as not answered to skip it."
            )
        return data

    def answers(self) -> dict | None:
        """The answers, or None when the questionnaire was skipped."""
        given = {code: answer for code, answer in self.cleaned_data.items() if answer}
        return given or None
