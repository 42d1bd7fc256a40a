"""Django admin for support staff: the history of PHB quarterly returns built."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin

from .models import QuarterlyReturn


@admin.register(QuarterlyReturn)
class QuarterlyReturnAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "quarter", "provisional", "built_by_job", "created_at"]
    list_filter = ["provisional", "built_by_job", "organisation"]
    readonly_fields = ["figures", "created_at", "created_by"]
