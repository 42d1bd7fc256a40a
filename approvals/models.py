"""Approval policies (versioned, per organisation), approval requests and their decisions."""

from django.conf import settings
from django.db import models

from phb.models import TenantModel

from .constants import Basis, DecisionKind, RequestStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


class ApprovalPolicy(TenantModel):
    """One version of an organisation's delegated sign-off policy, in force from `effective_from`.

    `tiers` is the ordered list validated by approvals/policy.py:
    [{"up_to": "250.00" | null, "basis": "total", "signoffs": [{"role", "count"}], "submitter_may_sign": bool}]
    """

    version = models.PositiveIntegerField()
    effective_from = models.DateTimeField()
    tiers = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    # A version scheduled for a later date may be withdrawn before it starts; it is kept, never in force.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="policy_unique_version_per_org")
        ]
        verbose_name_plural = "approval policies"

    def __str__(self) -> str:
        return f"Approval policy v{self.version}"


class ApprovalRequest(TenantModel):
    """A submitted plan waiting for sign-off; keeps a snapshot of the policy tier it is judged by."""

    plan = models.ForeignKey(
        "support_plans.SupportPlan", on_delete=models.PROTECT, related_name="approval_requests"
    )
    person = models.ForeignKey("phb.Person", on_delete=models.PROTECT, related_name="approval_requests")
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.PROTECT, related_name="requests")
    policy_version = models.PositiveIntegerField()
    tier = models.PositiveIntegerField(help_text="1-based position of the tier in the policy")
    basis = models.CharField(max_length=10, choices=Basis.choices)
    measured_amount = models.DecimalField(**MONEY)
    up_to = models.DecimalField(**MONEY, null=True, blank=True)
    required = models.JSONField(help_text='Snapshot: [{"role": ..., "count": ...}]')
    submitter_may_sign = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    last_nudged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"]),
            # The approval queues: an organisation's pending requests, oldest first, read a page at a
            # time (the decided ones, most of the table, are left out of the index).
            models.Index(
                fields=["organisation", "submitted_at", "id"],
                condition=models.Q(status=RequestStatus.PENDING),
                name="approval_pending_oldest_first",
            ),
        ]
        constraints = [
            # A plan version waits on one request at a time (a resubmission after return opens a new one).
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status=RequestStatus.PENDING),
                name="approval_one_pending_request_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"Approval request {self.pk} ({self.get_status_display()})"


class Decision(TenantModel):
    """One sign-off, decline or return. Immutable: never updated or deleted."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    decision = models.CharField(max_length=10, choices=DecisionKind.choices)
    comment = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # A user fills at most one slot in a request (also enforced under concurrency).
            models.UniqueConstraint(fields=["request", "user"], name="decision_one_per_user_per_request"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.user_id} as {self.role}"
