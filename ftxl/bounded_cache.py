"""A small first-in-first-out cache, so a batch reuses what copies of one template share in bounded memory."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Item = TypeVar("Item")


class BoundedCache(Generic[Key, Item]):
    """At most `size` items; when full, the oldest goes first. Counts its hits (for benchmarks)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.size = size
        self.items: dict[Key, Item] = {}
        self.hits = 0

    def get(self, key: Key) -> Item | None:
        """The item kept under `key`, or None."""
        item = self.items.get(key)
        if item is not None:
            self.hits += 1
        return item

    def put(self, key: Key, item: Item) -> Item:
        """Keep `item` under `key`, dropping the oldest item when full; returns `item`."""
        if key not in self.items and len(self.items) >= self.size:
            del self.items[next(iter(self.items))]
        self.items[key] = item
        return item

    def get_or_make(self, key: Key, make: Callable[[], Item]) -> Item:
        """The item under `key`, made and kept when missing."""
        item = self.get(key)
        return self.put(key, make()) if item is None else item

    def __len__(self) -> int:
        return len(self.items)
