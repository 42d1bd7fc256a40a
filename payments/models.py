"""Budget accounts and their immutable ledger; instalments due; idempotency of every write."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from phb.constants import Cohort
from phb.models import TenantModel
from support_plans.constants import PaymentMethod

from . import funds
from .constants import EntryKind, FundEntryKind, FundStatus, InstalmentStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


class BudgetAccount(TenantModel):
    """The account of one personal health budget; sized by its approved plan version.

    `released` and `paid` are running totals kept by the ledger service under the row lock,
    so the overspend check reads one row; the ledger entries remain the record.
    """

    # The plan, budget, person and organisation are one foreign key on PostgreSQL, to the plan's own
    # (migration payments 0012): the account is held to its plan's budget, person and organisation,
    # one check a row instead of four. So the four carry no constraint of their own, as a review's
    # (reviews/models.py); on SQLite, the embedded default, they are unconstrained.
    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    budget = models.OneToOneField(
        "support_plans.Budget", on_delete=models.PROTECT, related_name="account", db_constraint=False
    )
    person = models.ForeignKey(
        "phb.Person", on_delete=models.PROTECT, related_name="accounts", db_constraint=False
    )
    plan = models.ForeignKey(
        "support_plans.SupportPlan",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved plan version that sizes the account now",
        db_constraint=False,
    )
    approved = models.DecimalField(**MONEY, default=Decimal("0.00"))
    released = models.DecimalField(**MONEY, default=Decimal("0.00"))
    paid = models.DecimalField(**MONEY, default=Decimal("0.00"))
    opened_at = models.DateTimeField()
    first_released_at = models.DateTimeField(null=True, blank=True)
    first_paid_at = models.DateTimeField(null=True, blank=True)
    unfunded_flagged_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(
        null=True, blank=True, help_text="Closed with its budget: no payments after this"
    )
    no_fund_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why no fund released the money at approval (shown while it waits)",
    )
    # Who manages the budget's money (for display and work lists). Access comes from the
    # django-guardian grant `manage_budget` on this row, which the broker service keeps in step.
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The broker who manages this budget; empty: not assigned yet",
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "first_released_at"]),
            # The budgets still waiting for their money (the dashboard's unfunded list, the
            # unfunded job): a few of an organisation's accounts, found without reading the rest.
            models.Index(
                fields=["organisation"],
                condition=models.Q(first_released_at__isnull=True),
                name="account_awaiting_release",
            ),
        ]
        permissions = [("manage_budget", "Manage the budget's money as its broker")]

    def __str__(self) -> str:
        return f"Account {self.pk}"


class LedgerEntry(TenantModel):
    """An immutable money entry. Corrections are new entries that reverse earlier ones."""

    account = models.ForeignKey(BudgetAccount, on_delete=models.PROTECT, related_name="entries")
    plan = models.ForeignKey("support_plans.SupportPlan", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(**MONEY, help_text="Always positive; the kind says which way it moves")
    entry_date = models.DateField()
    method = models.CharField(max_length=30, choices=PaymentMethod.choices, blank=True)
    payee = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    instalment = models.ForeignKey(
        "Instalment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The supplier paid (one of the organisation's): a payment of a due instalment's amount to its
    # item's supplier settles that instalment.
    supplier = models.ForeignKey(
        "support_plans.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True)
    fund = models.ForeignKey(
        "Fund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
        help_text="The fund agreed in advance this release came from (at approval)",
    )

    class Meta:
        ordering = ["entry_date", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["organisation", "kind", "entry_date"]),
            models.Index(fields=["account", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount}"


class Instalment(TenantModel):
    """An instalment due under a recurring plan item (the schedule the broker works from).

    Its item, plan and organisation are one foreign key on PostgreSQL: `(item, plan, organisation)`
    must be a plan item's `(id, plan, organisation)` (migration payments 0011). That holds an
    instalment to its own item's plan and organisation, which three separate keys did not, and costs
    the database one check a row instead of three; an import writes eighteen instalments a plan, and
    those checks were a quarter of its commit. So the three fields carry no constraint of their own
    (`db_constraint=False`): the item's row, which the composite key must find, is held to its plan and
    organisation by its own keys. On SQLite, the embedded default, the three are unconstrained.
    """

    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    account = models.ForeignKey(BudgetAccount, on_delete=models.PROTECT, related_name="instalments")
    plan = models.ForeignKey(
        "support_plans.SupportPlan", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    item = models.ForeignKey(
        "support_plans.PlanItem", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.DUE)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return f"£{self.amount} due {self.due_on}"


class IdempotencyRecord(TenantModel):
    """The first answer to a write made with an Idempotency-Key, returned again for a repeat."""

    # Whose key it is: each user has their own key space (None: a write made by the system itself).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100, help_text="Which endpoint and object the key was used on")
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "key"],
                condition=models.Q(user__isnull=False),
                name="idempotency_key_unique_per_user",
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=models.Q(user__isnull=True),
                name="idempotency_key_unique_per_org_system",
            ),
        ]

    def __str__(self) -> str:
        return self.key


# --- Funds agreed in advance (payments/funds.py holds the rules)


def validate_financial_year(value: str) -> None:
    if not funds.is_financial_year(value):
        raise ValidationError(funds.YEAR_MESSAGE)


class Fund(TenantModel):
    """Money set aside in advance for one financial year, often held by a brokerage partner.

    `amount` (allocated) and `committed` are running totals kept by the fund service under the row
    lock, so the room check at approval reads one row; the fund's entries are the record. What was
    released and paid is read from the budget ledgers (payments/fund_selectors.py).
    """

    name = models.CharField(max_length=200)
    financial_year = models.CharField(max_length=7, validators=[validate_financial_year])
    amount = models.DecimalField(**MONEY, default=Decimal("0.00"), help_text="Allocated")
    committed = models.DecimalField(**MONEY, default=Decimal("0.00"))
    held_by = models.ForeignKey(
        "support_plans.Supplier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The brokerage partner holding the money; empty: the organisation itself",
    )
    status = models.CharField(max_length=10, choices=FundStatus.choices, default=FundStatus.OPEN)

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "financial_year", "name"], name="fund_unique_name_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(committed__lte=models.F("amount")), name="fund_within_amount"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "financial_year", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.financial_year})"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class FundCohort(TenantModel):
    """A cohort the fund serves; a fund with none serves every cohort."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="cohorts")
    cohort = models.CharField(max_length=20, choices=Cohort.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "cohort"], name="fund_cohort_unique")]

    def __str__(self) -> str:
        return self.get_cohort_display()


class FundTeam(TenantModel):
    """A team the fund serves; a fund with none serves every team."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="teams")
    team = models.ForeignKey("phb.Team", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "team"], name="fund_team_unique")]

    def __str__(self) -> str:
        return str(self.team)


class FundEntry(TenantModel):
    """An immutable entry on a fund: its allocation, each top-up or reduction (with a reason), and each
    plan it funded. `version` numbers them: the fund after entry n is version n."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=FundEntryKind.choices)
    amount = models.DecimalField(**MONEY, help_text="Always positive; the kind says which way it moves")
    entry_date = models.DateField()
    reason = models.TextField(blank=True, max_length=2000)
    account = models.ForeignKey(
        BudgetAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entries"
    )
    plan = models.ForeignKey(
        "support_plans.SupportPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["version"]
        verbose_name_plural = "fund entries"
        constraints = [
            models.UniqueConstraint(fields=["fund", "version"], name="fund_entry_unique_version"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_entry_amount_positive"),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount}"
