"""Django admin for support staff: budgets, plan versions and their rows, the directories."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyTabularInline

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


class GoalInline(ReadOnlyTabularInline):
    model = PlanGoal
    extra = 0


class ItemInline(ReadOnlyTabularInline):
    model = PlanItem
    extra = 0
    raw_id_fields = ["supplier"]


class RiskInline(ReadOnlyTabularInline):
    model = PlanRisk
    extra = 0


@admin.register(SupportPlan)
class SupportPlanAdmin(ReadOnlyHistoryAdmin):
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
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "person", "closed_on", "close_reason"]
    list_filter = ["organisation", "close_reason"]
    raw_id_fields = ["person", "referral"]


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ["name", "service", "category", "organisation"]
    list_filter = ["organisation", "category"]
    search_fields = ["name", "service"]


@admin.register(FastTrackOffer)
class FastTrackOfferAdmin(ReadOnlyAdmin):
    list_display = ["name", "amount", "frequency", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]


@admin.register(OrganisationSpendCategory)
class OrganisationSpendCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "organisation"]
    list_filter = ["organisation"]
