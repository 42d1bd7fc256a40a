"""Admin for support staff: budget accounts and their ledger, read-only (entries are never edited)."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin

from .models import BudgetAccount, Fund, FundEntry, IdempotencyRecord, Instalment, LedgerEntry


@admin.register(BudgetAccount)
class BudgetAccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "person", "approved", "released", "paid", "opened_at", "closed_on"]
    list_filter = ["organisation"]
    search_fields = ["person__family_name", "person__nhs_number"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "account", "kind", "amount", "entry_date", "payee", "reference"]
    list_filter = ["organisation", "kind"]
    search_fields = ["payee", "reference"]


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "account", "due_on", "amount", "status"]
    list_filter = ["organisation", "status"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "organisation", "scope", "response_status", "created_at"]
    list_filter = ["organisation"]


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "organisation",
        "name",
        "financial_year",
        "amount",
        "committed",
        "held_by",
        "status",
    ]
    list_filter = ["organisation", "financial_year", "status"]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "fund", "version", "kind", "amount", "entry_date", "reason"]
    list_filter = ["organisation", "kind"]
