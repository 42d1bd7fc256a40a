"""Sections of a person's page contributed by the pathway apps.

An app's AppConfig may declare `person_section = ("app/_person_section.html", "app.selectors.fn")`;
the function takes (person, org_context) and returns the template's context. The person page
shows the sections in the order the apps are installed (the order of the pathway).
"""

from django.apps import apps
from django.utils.module_loading import import_string


def person_sections(person, org_context) -> list[dict]:
    sections = []
    for config in apps.get_app_configs():
        declared = getattr(config, "person_section", None)
        if not declared:
            continue
        template, function_path = declared
        context = import_string(function_path)(person, org_context)
        sections.append({"template": template, "context": {**context, "person": person}})
    return sections
