import pytest

from tiles.cache import LRUCache


def test_evicts_oldest_when_full():
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.put("c", 3)
    assert "a" not in c and "b" in c and "c" in c


def test_get_refreshes_recency():
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1
    c.put("c", 3)
    assert "a" in c and "b" not in c


def test_put_existing_key_updates_without_eviction():
    evicted = []
    c = LRUCache(2, on_evict=lambda k, v: evicted.append(k))
    c.put("a", 1)
    c.put("b", 2)
    c.put("a", 10)
    assert evicted == [] and len(c) == 2
    assert c.get("a") == 10


def test_put_existing_key_refreshes_recency():
    c = LRUCache(2)
    c.put("a", 1)
    c.put("b", 2)
    c.put("a", 10)
    c.put("c", 3)
    assert "a" in c and "b" not in c


def test_on_evict_receives_key_and_value():
    evicted = []
    c = LRUCache(1, on_evict=lambda k, v: evicted.append((k, v)))
    c.put("a", 1)
    c.put("b", 2)
    assert evicted == [("a", 1)]


def test_hit_and_miss_counters():
    c = LRUCache(2)
    c.put("a", 1)
    c.get("a")
    c.get("zz")
    assert (c.hits, c.misses) == (1, 1)


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        LRUCache(0)
