"""The one bounded cache a batch keeps compiled models, parsed workbooks and scanned sheets in."""

from __future__ import annotations

import pytest

from ftxl.bounded_cache import BoundedCache


def test_the_oldest_item_goes_first_when_full():
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert cache.get("a") is None and cache.get("b") == 2 and cache.get("c") == 3 and len(cache) == 2


def test_get_or_make_makes_once_and_counts_hits():
    cache: BoundedCache[str, list[int]] = BoundedCache(4)
    made = []
    for _ in range(3):
        cache.get_or_make("k", lambda: made.append(1) or [1])
    assert len(made) == 1 and cache.hits == 2


def test_a_cache_holds_at_least_one_item():
    with pytest.raises(ValueError):
        BoundedCache(0)
