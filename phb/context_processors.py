"""Template context: the organisation in use, the user's other organisations, the navigation."""

from .access import organisations_for
from .navigation import navigation_for
from .notifications import unread_count


def organisation(request):
    context = getattr(request, "org_context", None)
    data = {"org_context": context}
    if context is not None:
        data["navigation"] = navigation_for(context)
        data["role_codes"] = context.roles
        data["unread_notifications"] = unread_count(organisation=context.organisation, user=request.user)
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        data["user_organisations"] = list(organisations_for(request.user).only("code", "name"))
    return data
