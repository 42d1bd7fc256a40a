"""Django admin for support staff: organisations, staff, people and the audit trail, read only;
user accounts are deactivated, never deleted (the audit trail keeps who acted)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, Membership, MembershipRole, Organisation, Person, Team
from .readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyTabularInline


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "name", "region", "population"]
    search_fields = ["code", "name"]


class MembershipRoleInline(ReadOnlyTabularInline):
    model = MembershipRole
    fields = ["role"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "organisation", "team", "is_active"]
    list_filter = ["organisation"]
    inlines = [MembershipRoleInline]


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation"]


@admin.register(Person)
class PersonAdmin(ReadOnlyHistoryAdmin):
    list_display = ["family_name", "given_name", "nhs_number", "organisation"]
    search_fields = ["family_name", "nhs_number"]
    list_filter = ["organisation"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "organisation", "actor_name", "action", "object_type", "object_id", "summary"]
    list_filter = ["organisation", "action"]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    """Accounts are deactivated (untick "active"), never deleted: the audit trail keeps who acted."""

    def has_delete_permission(self, request, obj=None):
        return False
