"""Version numbers for cached views of data that many writes touch.

Anything cached from such data puts the current version in its key; a write bumps the version
after it commits, so old entries become unreachable at once in every process sharing the cache
(they expire by themselves). Used for the organization tree (branches.selectors.tree_version) and
organizational life (meetings.selectors.life_version).
"""

from __future__ import annotations

import time

from django.core.cache import cache


def current(key: str) -> int:
    """The version under ``key``, started if missing."""
    version = cache.get(key)
    if version is None:
        # Start from the clock, not 1: if the key is ever evicted, the new numbers never meet the
        # keys of entries cached under the old ones.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        version = cache.get(key)
    return int(version or 0)


def bump(key: str) -> None:
    """Call after the write has committed (``transaction.on_commit``)."""
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or evicted): a fresh start is a new version too
        current(key)
