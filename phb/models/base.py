"""Base models: created/modified on and by, and the organisation every tenant row carries."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    modified_at = models.DateTimeField(auto_now=True)
    # Who wrote a row is shown with it, never searched for across a table: no index, which every
    # insert would otherwise keep up (a model that lists rows by their author indexes it itself).
    # Nor a foreign-key constraint, which the database would check on every insert and update: a
    # third of the checks of an import's rows. The authoritative who-did-what is the audit trail,
    # whose actor is constrained and protected (phb/models/audit.py), so a user who did anything
    # audited cannot be deleted; a deletion through the ORM still sets these to null (on_delete).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        abstract = True

    def stamp(self, actor) -> None:
        """Record who made this change; services call it before full_clean() and save()."""
        user = actor if getattr(actor, "is_authenticated", False) else None
        if self._state.adding and self.created_by_id is None:
            self.created_by = user
        self.modified_by = user

    def validate_own_fields(self) -> None:
        """full_clean() of the row's own values, for a service that has just read (under its lock)
        every row the foreign keys point at: re-checking each would cost a query apiece on a hot
        path, and the database's foreign keys and constraints still stand behind the save."""
        relations = [field.name for field in self._meta.concrete_fields if field.is_relation]
        self.full_clean(exclude=relations, validate_constraints=False)


class TenantQuerySet(models.QuerySet):
    def for_org(self, organisation):
        """The only way a view or API reaches tenant rows: scoped to one organisation."""
        return self.filter(organisation=organisation)


class TenantModel(TimeStampedModel):
    """Every tenant-owned row, child rows included, carries its organisation (sharding, RLS)."""

    organisation = models.ForeignKey("phb.Organisation", on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class LeanHistoricalRecords(HistoricalRecords):
    """django-simple-history's rows, indexed for how they are read: an object's history (`id`) in
    date order. The library indexes every foreign key of the history table too, which each save of
    the object then keeps up and no query uses."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for field in fields.values():
            if field.is_relation:
                field.db_index = False
        return fields
