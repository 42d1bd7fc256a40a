"""The service navigation: the pages a user may open, in pathway order.

Each entry names a page; whether the user sees it is decided by that page's own rule (its data kind
in phb/visibility.py and its `required_roles`), so the header never offers a page that answers 403.
"""

from django.urls import NoReverseMatch, resolve, reverse

from .access import PERSON_DATA_ROLES
from .visibility import roles_for_view

# (label, url name); pages that do not exist yet are left out.
NAVIGATION = [
    ("People", "person-list"),
    ("Caseload", "referrals:caseload"),
    ("Approvals", "approvals:queue"),
    ("Payments", "payments:worklist"),
    ("Budgets", "payments:budgets"),
    ("Funds", "payments:fund-list"),
    ("Reviews", "reviews:list"),
    ("Dashboard", "reporting:dashboard"),
    ("Returns", "reporting:returns"),
    ("Import", "imports:upload"),
    ("Region", "reporting:region-dashboard"),
    ("Staff", "staff-list"),
    ("Access log", "access-log"),
]


def page_roles(url: str):
    """The roles that may GET the page at this URL (None: every member)."""
    view_class = resolve(url).func.view_class
    required = view_class.required_roles
    if isinstance(required, dict):
        required = required.get("GET", PERSON_DATA_ROLES)
    return roles_for_view(view_class.data, "GET", required)


def navigation_for(context) -> list[dict]:
    items = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name, kwargs={"org": context.code})
        except NoReverseMatch:
            continue
        if not context.has_any(page_roles(url)):
            continue
        items.append({"label": label, "url": url, "name": name})
    return items
