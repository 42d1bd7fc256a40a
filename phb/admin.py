"""Django admin for support staff: organisations, staff, people (read mostly), audit (read only)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEvent, Membership, MembershipRole, Organisation, Person, Team


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "region", "population"]
    search_fields = ["code", "name"]


class MembershipRoleInline(admin.TabularInline):
    model = MembershipRole
    fields = ["role"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "team", "is_active"]
    list_filter = ["organisation"]
    inlines = [MembershipRoleInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["family_name", "given_name", "nhs_number", "organisation"]
    search_fields = ["family_name", "nhs_number"]
    list_filter = ["organisation"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "organisation", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["organisation", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    """Accounts are deactivated (untick "active"), never deleted: the audit trail keeps who acted."""

    def has_delete_permission(self, request, obj=None):
        return False
