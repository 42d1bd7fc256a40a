"""Load the demo organisations, staff and people at every stage, and print how to sign in."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from phb.demo import DEMO_PASSWORD, STAFF, seed_all
from phb.models import Organisation


class Command(BaseCommand):
    help = "Load demo data (idempotent: does nothing if the demo organisations exist)."

    def handle(self, *args, **options):
        if not Organisation.objects.filter(code="07T").exists():
            # The demo's sign-offs and reminders would e-mail the demo staff: keep them off the console.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                context = seed_all()
            for line in context.lines:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write("  superuser            superuser (creates organisations)")
        for prefix, name in (
            ("ch", "NHS City and Hackney (07T): £250 / £750 / panel"),
            ("bs", "NHS Birmingham and Solihull (15E): £400 a week / panel"),
        ):
            self.stdout.write(f"  {name}")
            for suffix, roles, _team in STAFF:
                self.stdout.write(f"    {prefix}_{suffix:<20} {', '.join(roles)}")
        self.stdout.write("  shared_broker        broker in both organisations")
        self.stdout.write(
            "  ch_budget_holder     a budget holder of City and Hackney: their own view at /my/"
        )
