"""Back up the database (pg_dump, custom format) and, with --media, the receipts in MEDIA_ROOT."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb import backups


class Command(BaseCommand):
    help = "Write a consistent dump of the PostgreSQL database (pg_dump --format=custom)."

    def add_arguments(self, parser):
        parser.add_argument(
            "dump", type=Path, help="where to write the dump, e.g. backups/phb-2026-12-01.dump"
        )
        parser.add_argument(
            "--media", type=Path, help="also archive MEDIA_ROOT here (a .tar.gz), after the dump"
        )

    def handle(self, *args, dump, media=None, **options):
        try:
            backups.dump_database(dump)
            self.stdout.write(f"Database written to {dump} ({dump.stat().st_size:,} bytes)")
            if media:
                count = backups.archive_media(media)
                self.stdout.write(f"{count} media files written to {media}")
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
