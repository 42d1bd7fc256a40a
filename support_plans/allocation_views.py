"""Pages of the indicative budget: the allocation questionnaire editor and its live preview."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import TemplateView

from phb.access import PERSON_DATA_ROLES
from phb.exceptions import InvalidInput
from phb.fields import PlainErrorsMixin, clean_date
from phb.mixins import OrgViewMixin, WithdrawScheduledVersionView
from phb.visibility import Data

from . import allocation as rules
from . import allocation_services as services
from .allocation_api import QUESTIONNAIRE_EDITORS
from .allocation_forms import (
    AnswersForm,
    QuestionForm,
    QuestionFormSet,
    QuestionnaireSettingsForm,
    answer_slots_for,
    errors_onto_formset,
    questions_from_formset,
)
from .models import AllocationQuestionnaire


class TryPointsForm(PlainErrorsMixin, forms.Form):
    points = forms.IntegerField(
        label="Points to try", required=False, min_value=0, max_value=rules.MAX_POINTS * rules.MAX_QUESTIONS
    )


def preview_context(questionnaire: rules.Questionnaire | None, points: int | None) -> dict:
    """What the preview shows: the points a person can score, and what they come to in pounds."""
    if questionnaire is None:
        return {"preview": None}
    low, high = rules.points_range(questionnaire)
    rate, basis = questionnaire.pounds_per_point, questionnaire.basis
    other = rules.WEEKLY if basis == rules.ANNUAL else rules.ANNUAL

    def amounts(score: int) -> dict:
        amount = rules.indicative_budget(score, rate)
        return {"points": score, "amount": amount, "other": rules.on_basis(amount, basis, other)}

    return {
        "preview": {
            "questions": len(questionnaire.questions),
            "low": amounts(low),
            "high": amounts(high),
            "tried": amounts(points) if points is not None else None,
            "basis_words": services.BASIS_WORDS[basis],
            "other_words": services.BASIS_WORDS[other],
            "pounds_per_point": rate,
        }
    }


def _draft(formset, settings_form) -> rules.Questionnaire | None:
    if not (formset.is_valid() and settings_form.is_valid()):
        return None
    try:
        return rules.validate_questionnaire(
            questions_from_formset(formset)[0],
            f"{settings_form.cleaned_data['pounds_per_point']:.2f}",
            settings_form.cleaned_data["basis"],
        )
    except rules.AllocationError:
        return None


class AllocationView(OrgViewMixin, TemplateView):
    """The allocation questionnaire in force and its versions; commissioners and org admins publish a
    new version, with a live preview of what it gives."""

    template_name = "support_plans/allocation.html"
    model = AllocationQuestionnaire
    data = Data.POLICY
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": QUESTIONNAIRE_EDITORS}

    def _slots(self, in_force) -> int:
        return answer_slots_for(in_force.questions if in_force else [])

    def get_context_data(self, formset=None, settings_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        in_force = services.questionnaire_in_force(self.organisation)
        can_edit = self.org_context.has_role(*QUESTIONNAIRE_EDITORS)
        slots = self._slots(in_force)
        if formset is None and can_edit:
            formset = QuestionFormSet(
                initial=_initial_questions(in_force),
                form_kwargs={"answer_slots": slots},
            )
        if settings_form is None:
            settings_form = QuestionnaireSettingsForm(
                initial={"pounds_per_point": in_force.pounds_per_point, "basis": in_force.basis}
                if in_force
                else {}
            )
        parsed = services.parsed(in_force) if in_force else None
        context.update(
            in_force=in_force,
            questionnaire=parsed,
            basis_words=services.BASIS_WORDS[in_force.basis] if in_force else "",
            versions=services.questionnaire_versions(self.organisation),
            scheduled=services.questionnaires_scheduled(self.organisation),
            can_edit=can_edit,
            formset=formset,
            settings_form=settings_form,
            try_form=TryPointsForm(),
            margin=self.organisation.indicative_margin_percent,
            **preview_context(parsed, None),
        )
        return context

    def post(self, request, *args, **kwargs):
        in_force = services.questionnaire_in_force(self.organisation)
        formset = QuestionFormSet(request.POST, form_kwargs={"answer_slots": self._slots(in_force)})
        settings_form = QuestionnaireSettingsForm(request.POST)
        if not (formset.is_valid() and settings_form.is_valid()):
            return self.render_to_response(
                self.get_context_data(formset=formset, settings_form=settings_form)
            )
        questions, positions = questions_from_formset(formset)
        rate = f"{settings_form.cleaned_data['pounds_per_point']:.2f}"
        if (
            in_force is not None
            and not settings_form.cleaned_data["effective_from"]
            and _same(questions, rate, settings_form.cleaned_data["basis"], in_force)
        ):
            messages.success(request, f"Nothing was changed: version {in_force.version} stays in force.")
            return redirect("support_plans:allocation", org=self.organisation.code)
        try:
            published = services.questionnaire_publish(
                actor=request.user,
                organisation=self.organisation,
                questions=questions,
                pounds_per_point=rate,
                basis=settings_form.cleaned_data["basis"],
                effective_on=settings_form.cleaned_data["effective_from"],
            )
        except InvalidInput as error:
            for key in errors_onto_formset(formset, positions, error.details):
                field = key if key in settings_form.fields else None
                settings_form.add_error(field, error.details[key])
            return self.render_to_response(
                self.get_context_data(formset=formset, settings_form=settings_form)
            )
        if published.effective_from > timezone.now():
            when = timezone.localtime(published.effective_from)
            messages.success(
                request,
                f"Allocation questionnaire version {published.version} is scheduled: in force from "
                f"{when:%-d %B %Y}. Until then the current version stays in force.",
            )
        else:
            messages.success(
                request, f"Allocation questionnaire version {published.version} is now in force."
            )
        return redirect("support_plans:allocation", org=self.organisation.code)


def _same(questions: list[dict], rate: str, basis: str, in_force) -> bool:
    """What was typed says what the version in force says (so posting the page back changes nothing)."""
    try:
        typed = rules.validate_questionnaire(questions, rate, basis)
    except rules.AllocationError:
        return False
    return typed == services.parsed(in_force)


def _initial_questions(in_force) -> list[dict]:
    return [QuestionForm.initial_from(q) for q in (in_force.questions if in_force else [])]


class AllocationPreviewView(OrgViewMixin, TemplateView):
    """htmx fragment: the points a person can score and what they come to, under the questionnaire
    being edited (POST, when it is complete) or the one in force (GET)."""

    template_name = "support_plans/_allocation_preview.html"
    model = AllocationQuestionnaire
    data = Data.POLICY
    required_roles = {"GET": PERSON_DATA_ROLES, "POST": QUESTIONNAIRE_EDITORS}

    def post(self, request, *args, **kwargs):
        return self._render(request.POST, draft=True)

    def get(self, request, *args, **kwargs):
        return self._render(request.GET, draft=False)

    def _render(self, data, *, draft: bool):
        try_form = TryPointsForm(data)
        points = try_form.cleaned_data["points"] if try_form.is_valid() else None
        in_force = services.questionnaire_in_force(self.organisation)
        questionnaire, source = None, "none"
        if draft:
            formset = QuestionFormSet(
                data, form_kwargs={"answer_slots": answer_slots_for(in_force.questions if in_force else [])}
            )
            questionnaire = _draft(formset, QuestionnaireSettingsForm(data))
            source = "draft" if questionnaire else "none"
        if questionnaire is None and in_force is not None:
            questionnaire, source = services.parsed(in_force), "in_force"
        return render(
            self.request,
            self.template_name,
            {**preview_context(questionnaire, points), "source": source, "draft": draft},
        )


# --- The questionnaire in the plan editor


def answers_form_for(organisation, data=None, plan=None) -> AnswersForm | None:
    """The questionnaire in force as the plan editor's answers form (None when there is none): bound to
    what was posted, or holding the plan's own answers."""
    in_force = services.questionnaire_in_force(organisation)
    if in_force is None:
        return None
    questionnaire = services.parsed(in_force)
    if data is not None:
        return AnswersForm(data, questionnaire=questionnaire)
    initial = dict(plan.allocation_answers or {}) if plan is not None else {}
    return AnswersForm(initial=initial, questionnaire=questionnaire)


def indicative_panel(organisation, data, plan, costs) -> dict:
    """What the live costs panel shows of the indicative budget: from what is typed (a POST) or the
    plan as saved. `state` is none (no questionnaire), skipped, incomplete or ok."""
    if data is not None:
        prefix = f"{AnswersForm.prefix}-"
        answers = {key[len(prefix) :]: value for key, value in data.items() if key.startswith(prefix)}
        start, end = clean_date(data.get("start_date")), clean_date(data.get("end_date"))
        return services.preview_indicative(
            organisation, answers, start, end, costs.total if costs is not None else None
        )
    if plan is not None:
        summary = services.plan_indicative(plan)
        if summary is not None:
            return {**summary, "state": "ok"}
    if services.questionnaire_in_force(organisation) is None:
        return {"state": "none"}
    return {"state": "skipped"}


class AllocationWithdrawView(WithdrawScheduledVersionView):
    """Withdraw a questionnaire version scheduled for a later date, before it starts."""

    model = AllocationQuestionnaire
    required_roles = QUESTIONNAIRE_EDITORS
    versions_page = "support_plans:allocation"

    def withdraw(self, version) -> None:
        services.questionnaire_withdraw(actor=self.request.user, questionnaire=version)
