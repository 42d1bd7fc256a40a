"""Django admin for support staff: budgets, plan versions and their rows, the directories."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Budget,
    FastTrackOffer,
    OrganisationSpendCategory,
    PlanGoal,
    PlanItem,
    PlanRisk,
    Supplier,
    SupportPlan,
)


class GoalInline(admin.TabularInline):
    model = PlanGoal
    extra = 0


class ItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    raw_id_fields = ["supplier"]


class RiskInline(admin.TabularInline):
    model = PlanRisk
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "organisation",
        "person",
        "budget",
        "version",
        "status",
        "cost_total",
        "cost_weekly",
    ]
    list_filter = ["organisation", "status", "management"]
    search_fields = ["person__family_name", "person__nhs_number"]
    raw_id_fields = ["budget", "person", "referral", "previous_version", "care_coordinator"]
    inlines = [GoalInline, ItemInline, RiskInline]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["id", "organisation", "person", "closed_on", "close_reason"]
    list_filter = ["organisation", "close_reason"]
    raw_id_fields = ["person", "referral"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "category", "organisation"]
    list_filter = ["organisation", "category"]
    search_fields = ["name", "service"]


@admin.register(FastTrackOffer)
class FastTrackOfferAdmin(admin.ModelAdmin):
    list_display = ["name", "amount", "frequency", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]


@admin.register(OrganisationSpendCategory)
class OrganisationSpendCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "organisation"]
    list_filter = ["organisation"]
