"""Django admin for support staff: approval policies and requests, read only (changes go through services)."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import ApprovalPolicy, ApprovalRequest, Decision


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "version", "effective_from"]
    list_filter = ["organisation"]


class DecisionInline(ReadOnlyTabularInline):
    model = Decision
    fields = ["user", "role", "decision", "comment", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "organisation", "person", "plan", "tier", "status", "submitted_at", "decided_at"]
    list_filter = ["organisation", "status"]
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "user", "role", "decision", "at"]
    list_filter = ["organisation", "decision"]
