"""What a pathway app contributes to pages it does not own (the person's page, the home page, the plan).

An app's AppConfig may declare
- `person_section = ("app/_person_section.html", "app.selectors.person_section")`: the function
  takes (person, org_context) and returns the template's context (given as `section`);
- `home_panel = ("app/_home_panel.html", "app.selectors.home_panel")`: the function takes the
  org_context and returns the context, or None when the panel has nothing for this user's roles;
- `plan_section = ("app/_plan_section.html", "app.selectors.plan_section")`: the same for a
  support plan's page, given (plan, org_context) (a later stage adds what it knows of the plan).
- `plan_parts = {"account": "payments.selectors.plan_account"}`: what a later stage adds to the
  support plan's page, API answer and PDF (the tier it would need, its approval, its account, its
  first review), so that support_plans shows them without importing a later stage. Support plans
  asks `plan_part("account", plan)`; a part that no installed app contributes is None.
Sections appear in the order the apps are installed, which is the order of the pathway, and only
where the user's roles may read the data the app shows (phb/visibility.py, SECTION_DATA).
"""

from django.apps import apps
from django.utils.module_loading import import_string

from .visibility import section_visible


def _contributions(attribute: str, org_context, *args) -> list[dict]:
    found = []
    for config in apps.get_app_configs():
        declared = getattr(config, attribute, None)
        if not declared or not section_visible(org_context, config.label):
            continue
        template, function_path = declared
        context = import_string(function_path)(*args)
        if context is not None:
            found.append({"template": template, "context": context})
    return found


def person_sections(person, org_context) -> list[dict]:
    sections = _contributions("person_section", org_context, person, org_context)
    for section in sections:
        section["context"] = {**section["context"], "person": person}
    return sections


def plan_sections(plan, org_context) -> list[dict]:
    return _contributions("plan_section", org_context, plan, org_context)


def home_panels(org_context) -> list[dict]:
    return _contributions("home_panel", org_context, org_context)


def person_api_sections(person, org_context) -> dict:
    """The parts of the person API other apps add (`person_api_section = (key, function)`)."""
    data = {}
    for config in apps.get_app_configs():
        declared = getattr(config, "person_api_section", None)
        if declared and section_visible(org_context, config.label):
            key, function_path = declared
            data[key] = import_string(function_path)(person)
    return data


def plan_part(name: str, *args):
    """The part `name` of a support plan's page that a later stage contributes (None if none does)."""
    for config in apps.get_app_configs():
        function_path = getattr(config, "plan_parts", {}).get(name)
        if function_path:
            return import_string(function_path)(*args)
    return None
