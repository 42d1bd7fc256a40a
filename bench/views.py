"""The framework floor of the benchmark: a bare Django JSON view (no database, no auth)."""

import os

from django.conf import settings
from django.http import Http404, JsonResponse


def floor(request):
    """Only served when DEBUG is on or BENCH_FLOOR=1 (set by scripts/bench.sh); 404 otherwise."""
    if not (settings.DEBUG or os.environ.get("BENCH_FLOOR") == "1"):
        raise Http404
    return JsonResponse({"ok": True})
