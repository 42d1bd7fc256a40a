"""Report figures cached until the data they count next changes (phb/data_version.py).

A dashboard at national scale takes seconds to count (bench/README.md); commissioners read it far
more often than the data changes between two reads. Each entry is keyed by the organisations'
data-version tokens, which every audited write replaces, so a figure is never stale; entries
expire after a day in any case. Switched off by PHB["REPORT_CACHE"] (the tests count afresh).
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from phb import data_version

TIMEOUT = 24 * 60 * 60


def enabled() -> bool:
    return settings.PHB.get("REPORT_CACHE", True)


def cached(name: str, organisation_ids, parts: tuple, build: Callable[[], Any]) -> Any:
    """The figures `build()` returns, from the cache while none of the organisations' data changed."""
    if not enabled():
        return build()
    tokens = data_version.tokens(organisation_ids)
    signature = ",".join(f"{pk}:{tokens[pk]}" for pk in sorted(tokens))
    digest = hashlib.sha256(f"{name}|{parts}|{signature}".encode()).hexdigest()
    key = f"phb:report:{name}:{digest}"
    figures = cache.get(key)
    if figures is None:
        figures = build()
        cache.set(key, figures, timeout=TIMEOUT)
    return figures
