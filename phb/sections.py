"""Parts of the kernel's pages contributed by the pathway apps (the person's page, the home page).

An app's AppConfig may declare
- `person_section = ("app/_person_section.html", "app.selectors.person_section")`: the function
  takes (person, org_context) and returns the template's context (given as `section`);
- `home_panel = ("app/_home_panel.html", "app.selectors.home_panel")`: the function takes the
  org_context and returns the context, or None when the panel has nothing for this user's roles.
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
