"""A version token per organisation's data: every audited change replaces it after commit.

Reports are cached under the tokens of the organisations they count (reporting/cache.py), so a
cached figure is never served once anything it counts has changed. The token is random rather
than a counter, so that a token lost from the cache can never bring an old entry back to life.
"""

from uuid import uuid4

from django.core.cache import cache


def _key(organisation_id: int) -> str:
    return f"phb:data-version:{organisation_id}"


def bump(organisation_id: int) -> None:
    cache.set(_key(organisation_id), uuid4().hex, timeout=None)


def tokens(organisation_ids) -> dict[int, str]:
    """The current token of each organisation (a new one for an organisation not seen yet)."""
    ids = list(organisation_ids)
    found = cache.get_many([_key(i) for i in ids])
    result = {}
    for organisation_id in ids:
        token = found.get(_key(organisation_id))
        if token is None:
            cache.add(_key(organisation_id), uuid4().hex, timeout=None)
            token = cache.get(_key(organisation_id))
        result[organisation_id] = token
    return result
