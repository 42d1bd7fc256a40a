"""Build, fold or check the live figures (reporting/live.py) of every organisation.

manage.py live_figures build     # count the summaries of organisations not built yet, or built under an
                                 # older definition of the figures (--all: every one)
manage.py live_figures fold      # fold the delta rows into the totals (the every-minute job)
manage.py live_figures check     # the nightly job: recount, compare, repair, report
"""

import time

from django.core.management.base import BaseCommand

from phb.models import Organisation
from reporting import live, services


class Command(BaseCommand):
    help = "Build, fold or check the live figures of every organisation."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build", "fold", "check"])
        parser.add_argument(
            "--all", action="store_true", help="build: rebuild organisations already built too"
        )

    def handle(self, *args, action, all, **options):
        started = time.monotonic()
        if action == "build":
            built = 0
            for organisation in Organisation.objects.order_by("code"):
                if all or not live.is_current(organisation):
                    live.rebuild(organisation)
                    built += 1
            self.stdout.write(
                f"live figures: {built} organisations built in {time.monotonic() - started:.1f} s"
            )
        elif action == "fold":
            self.stdout.write(f"live figures: {live.fold_all()} figures folded")
        else:
            report = services.live_figures_check_all()
            for code, found in report.items():
                self.stdout.write(f"{code}: {len(found)} differences, repaired: " + "; ".join(found[:10]))
            self.stdout.write(
                f"live figures: checked in {time.monotonic() - started:.1f} s, "
                f"{len(report)} organisations differed"
            )
