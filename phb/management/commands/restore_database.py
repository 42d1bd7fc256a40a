"""Restore a dump of backup_database into an empty database and, with --media, the receipts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from phb import backups


class Command(BaseCommand):
    help = "Restore a pg_dump custom-format dump into an empty PostgreSQL database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)
        parser.add_argument(
            "--dbname",
            help="the (empty) database to restore into, on the same server; default: the configured one",
        )
        parser.add_argument(
            "--media", type=Path, help="a media archive of backup_database --media, into MEDIA_ROOT"
        )

    def handle(self, *args, dump, dbname=None, media=None, **options):
        if not dump.is_file():
            raise CommandError(f"No dump at {dump}")
        if dbname is None and connection.vendor == "postgresql" and connection.introspection.table_names():
            raise CommandError(
                f"The database {connection.settings_dict['NAME']!r} is not empty: restore into a new, empty "
                "database (createdb, then DATABASE_URL or --dbname)."
            )
        try:
            backups.restore_database(dump, dbname=dbname)
            self.stdout.write(f"Restored {dump} into {dbname or connection.settings_dict['NAME']}")
            if media:
                count = backups.restore_media(media)
                self.stdout.write(f"{count} media files restored into the media folder")
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
