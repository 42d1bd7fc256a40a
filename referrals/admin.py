"""Django admin for support staff: referrals and conversations, read mostly."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Conversation, Referral


class ConversationInline(ReadOnlyTabularInline):
    model = Conversation
    extra = 0
    fields = ["held_on", "mode", "participants", "goals"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Referral)
class ReferralAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "id",
        "organisation",
        "person",
        "status",
        "source",
        "cohort",
        "received_on",
        "care_coordinator",
    ]
    list_filter = ["organisation", "status", "source", "cohort"]
    search_fields = ["person__family_name", "person__given_name", "person__nhs_number"]
    date_hierarchy = "received_on"
    list_select_related = ["organisation", "person", "care_coordinator"]
    raw_id_fields = ["person", "care_coordinator", "team", "transferred_to", "transferred_from"]
    readonly_fields = ["created_at", "created_by", "modified_at", "modified_by"]
    inlines = [ConversationInline]


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "referral", "person", "held_on", "mode"]
    list_filter = ["organisation", "mode"]
    search_fields = ["person__family_name", "person__nhs_number"]
    list_select_related = ["organisation", "person", "referral"]
    raw_id_fields = ["referral", "person"]
    readonly_fields = ["created_at", "created_by", "modified_at", "modified_by"]
