#!/usr/bin/env python3
"""A container's HTTP probe of its own gunicorn: exit 0 if GET <path> answers 200, else 1.

   python scripts/healthcheck.py /health/ready/      (docker-compose.yml, Dockerfile HEALTHCHECK)

Standard library only, so a probe costs a few milliseconds rather than a Django start-up. It asks as
the proxy does: with the site's host name (the first of ALLOWED_HOSTS) and X-Forwarded-Proto https,
so SECURE_SSL_REDIRECT does not turn it away.
"""

import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else "/health/live/"
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
    if host in ("", "*"):
        host = "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": "text/plain"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a fixed loopback URL)
            print(response.read().decode(errors="replace").strip())
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(f"{path}: HTTP {error.code}\n{error.read().decode(errors='replace').strip()}")
    except (urllib.error.URLError, OSError) as error:
        print(f"{path}: {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
