"""Reads of imports: the organisation's recent uploads."""

from .models import ImportBatch


def recent_batches(organisation, limit: int = 20):
    return (
        ImportBatch.objects.for_org(organisation)
        .select_related("created_by")
        .defer("rows")
        .order_by("-created_at", "-id")[:limit]
    )
