"""The service navigation: what each role sees in the header, in pathway order."""

from django.urls import NoReverseMatch, reverse

from .access import PERSON_DATA_ROLES
from .constants import Role

# (label, url name, roles that see it); pages that do not exist yet are left out.
NAVIGATION = [
    ("People", "person-list", PERSON_DATA_ROLES),
    ("Caseload", "referrals:caseload", {Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD}),
    (
        "Approvals",
        "approvals:queue",
        {
            Role.CARE_COORDINATOR,
            Role.TEAM_LEAD,
            Role.PHB_LEAD,
            Role.LIVED_EXPERIENCE_REVIEWER,
            Role.COMMISSIONER,
        },
    ),
    ("Payments", "payments:worklist", {Role.BROKER, Role.FINANCE, Role.COMMISSIONER}),
    ("Reviews", "reviews:list", {Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD}),
    (
        "Dashboard",
        "reporting:dashboard",
        {Role.COMMISSIONER, Role.PHB_LEAD, Role.ORG_ADMIN, Role.FINANCE},
    ),
    ("Returns", "reporting:returns", {Role.COMMISSIONER, Role.ORG_ADMIN, Role.PHB_LEAD}),
    ("Import", "imports:upload", {Role.COMMISSIONER, Role.ORG_ADMIN}),
    ("Region", "reporting:region-dashboard", {Role.REGION_VIEWER}),
    ("Staff", "staff-list", {Role.ORG_ADMIN}),
]


def navigation_for(context) -> list[dict]:
    items = []
    for label, name, roles in NAVIGATION:
        if not context.has_any(roles):
            continue
        try:
            url = reverse(name, kwargs={"org": context.code})
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "name": name})
    return items
