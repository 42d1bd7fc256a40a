"""The history of PHB quarterly returns built, on demand or by the quarterly job."""

from django.db import models

from phb.models import TenantModel


class QuarterlyReturn(TenantModel):
    quarter = models.CharField(max_length=6, help_text="Calendar quarter, like 2014Q3")
    period_start = models.DateField()
    period_end = models.DateField()
    provisional = models.BooleanField(default=False)
    figures = models.JSONField()
    built_by_job = models.BooleanField(default=False)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        indexes = [models.Index(fields=["organisation", "quarter"])]

    def __str__(self) -> str:
        return f"PHB return {self.quarter}"


# --- Live figures (reporting/live.py): per-organisation summaries kept in each write's transaction.
#
# Not TenantModel rows: they carry their organisation, but no stamps (they are written on every
# audited change, and counted, never edited or shown one by one).


class FigureTotal(models.Model):
    """The folded sum of an organisation's figure deltas: one row per (figure, key)."""

    # Indexed by the unique constraint, which leads with it (and is how every read finds the rows).
    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    figure = models.CharField(max_length=24)
    key = models.CharField(max_length=80, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "figure", "key"], name="figure_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.key}: {self.count} / {self.amount}"


class FigureDelta(models.Model):
    """An append-only change to one figure, written by a change's transaction; folded into FigureTotal.

    Writers only insert, so two writers in the same organisation never wait for each other."""

    id = models.BigAutoField(primary_key=True)
    # One index per insert on this hot table: the one below (the foreign key's own would repeat it).
    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    figure = models.CharField(max_length=24)
    key = models.CharField(max_length=80, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        # The organisation's deltas (fold, read) and the count of one figure's (live.memo).
        indexes = [models.Index(fields=["organisation", "figure"], name="figure_delta_org_figure")]

    def __str__(self) -> str:
        return f"{self.figure} {self.key}: {self.count:+} / {self.amount:+}"


class FigureValue(models.Model):
    """An ordered value table (durations in microseconds): +1 / -1 rows per value, found by bucket.

    The bucket counts are figures of their own (FigureTotal), so a median reads only the rows of the
    one or two buckets holding its ranks."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by figure_value_bucket, which leads with it.
    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    figure = models.CharField(max_length=24)
    bucket = models.BigIntegerField()
    value = models.BigIntegerField()
    count = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "figure", "bucket"], name="figure_value_bucket")]

    def __str__(self) -> str:
        return f"{self.figure} {self.value}: {self.count:+}"


class PersonFigures(models.Model):
    """What one person's rows add to their organisation's figures, as last counted (the diff base)."""

    person_id = models.BigIntegerField(primary_key=True)
    # Indexed by person_figures_org below (the foreign key's own index would repeat it).
    organisation = models.ForeignKey(
        "phb.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    figures = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    counted_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation"], name="person_figures_org")]

    def __str__(self) -> str:
        return f"Figures of person {self.person_id}"


class FigureStamp(models.Model):
    """An organisation's live figures exist (built), and the day they were last brought up to date."""

    organisation = models.OneToOneField(
        "phb.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    dated_on = models.DateField()
    built_at = models.DateTimeField()
    # When the deltas were last folded (live.fold), and the last value row compacted then: with the
    # build time and the count of a figure's deltas, they say whether that figure has changed since
    # a statistic derived from it (a median, a mode) was worked out (live.memo).
    folded_at = models.DateTimeField(null=True, blank=True)
    values_folded_to = models.BigIntegerField(default=0)
    # The figures' definition they were built with (live.DEFINITION): an older build is counted
    # again by the nightly check, and until then what a newer figure stands for is worked out afresh.
    definition = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"Live figures dated {self.dated_on}"
