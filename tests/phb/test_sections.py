"""What later stages add to the support plan's page (phb/sections.py: AppConfig.plan_parts)."""

from django.apps import apps

from phb.sections import plan_part


def test_a_plan_part_that_no_installed_app_contributes_is_none():
    assert plan_part("no_such_part", object()) is None


def test_each_part_of_the_plan_page_comes_from_the_stage_that_owns_it():
    owners = {
        name: config.name
        for config in apps.get_app_configs()
        for name, function_path in getattr(config, "plan_parts", {}).items()
        if function_path.startswith(f"{config.name}.")
    }
    assert owners == {
        "required_tier": "approvals",
        "approval": "approvals",
        "account": "payments",
        "first_review": "reviews",
    }
