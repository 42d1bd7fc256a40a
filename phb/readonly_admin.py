"""The Django admin is for looking, not changing (DESIGN.md "Segregation of duties").

Every change to a pathway record goes through its service, which checks the rules (a plan's status
table, the tenancy of a person) and writes the audit event in the same transaction; the admin would
do neither. Every pathway model's admin and inline builds on these (tests/phb/test_admin.py walks
the admin site to check).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read only, with django-simple-history's before/after of each row (and no revert)."""

    def revert_view(self, request, object_id, version_id, extra_context=None):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Changes go through the services, not the admin.")


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
