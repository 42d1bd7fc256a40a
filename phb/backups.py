"""Backing up and restoring the database (pg_dump / pg_restore) and the receipts in MEDIA_ROOT.

The dump is consistent on its own: pg_dump reads every table in one repeatable-read transaction, a
snapshot of the moment it started, while the application keeps writing. The receipts are archived
after the dump, so every receipt a dumped row names is in the archive (a receipt uploaded in between
is an extra file, never a missing one). README, "Backups".
"""

import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    """pg_dump or pg_restore failed, or the database is not PostgreSQL."""


def _libpq_environment(alias: str = "default", dbname: str | None = None) -> dict[str, str]:
    """The connection of DATABASES[alias] as libpq's variables (the password never on a command line)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backups use pg_dump: the {alias!r} database is {connection.vendor}, not PostgreSQL."
        )
    params = connection.settings_dict
    values = {
        "PGHOST": params.get("HOST"),
        "PGPORT": params.get("PORT"),
        "PGUSER": params.get("USER"),
        "PGPASSWORD": params.get("PASSWORD"),
        "PGDATABASE": dbname or params["NAME"],
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(argv, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{argv[0]} is not installed (PostgreSQL's client programs).") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{argv[0]} failed: {error.stderr.strip()}") from error


def dump_database(path: Path, alias: str = "default") -> Path:
    """Write a consistent dump of the whole database in pg_dump's custom format (compressed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
        _libpq_environment(alias),
    )
    return path


def restore_database(path: Path, dbname: str | None = None, alias: str = "default") -> None:
    """Restore a dump into an empty database (by default the configured one), in one transaction:
    either every table is restored or nothing is."""
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={dbname or connections[alias].settings_dict['NAME']}",
            str(path),
        ],
        _libpq_environment(alias, dbname),
    )


def archive_media(path: Path) -> int:
    """Write MEDIA_ROOT (the payment receipts) to a gzipped tar; returns the number of files."""
    root = Path(settings.MEDIA_ROOT)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(path, "w:gz") as archive:
        if root.exists():
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                archive.add(file, arcname=str(file.relative_to(root)))
                count += 1
    return count


def restore_media(path: Path) -> int:
    """Unpack a media archive into MEDIA_ROOT (only regular files under it: tarfile's "data" filter)."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        archive.extractall(root, members=members, filter="data")
    return len(members)
