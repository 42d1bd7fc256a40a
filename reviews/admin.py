"""Django admin of the reviews app, for support staff."""

from django.contrib import admin

from phb.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import GoalAttainment, OutcomeMeasure, Review, ReviewPolicy


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(ReadOnlyAdmin):
    list_display = [
        "organisation",
        "first_review_weeks",
        "interval_weeks",
        "reminder_days_before",
        "escalate_days_after",
        "midpoint_and_end",
    ]


class OutcomeMeasureInline(ReadOnlyTabularInline):
    model = OutcomeMeasure
    extra = 0


class GoalAttainmentInline(ReadOnlyTabularInline):
    model = GoalAttainment
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "person", "kind", "due_on", "status", "completed_on", "decision"]
    list_filter = ["organisation", "status", "kind", "decision"]
    search_fields = ["person__family_name", "person__nhs_number"]
    raw_id_fields = ["budget", "plan", "person"]
    date_hierarchy = "due_on"
    inlines = [OutcomeMeasureInline, GoalAttainmentInline]
