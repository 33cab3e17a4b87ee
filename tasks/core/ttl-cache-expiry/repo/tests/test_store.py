from sessions.store import TTLStore


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_value_available_before_expiry():
    clock = FakeClock()
    s = TTLStore(ttl=30, clock=clock)
    s.set("sid", "alice")
    clock.now += 29.9
    assert s.get("sid") == "alice"


def test_expires_exactly_at_ttl():
    clock = FakeClock()
    s = TTLStore(ttl=30, clock=clock)
    s.set("sid", "alice")
    clock.now += 30
    assert s.get("sid") is None


def test_set_again_restarts_lifetime():
    clock = FakeClock()
    s = TTLStore(ttl=30, clock=clock)
    s.set("sid", "alice")
    clock.now += 20
    s.set("sid", "alice")
    clock.now += 20
    assert s.get("sid") == "alice"


def test_len_ignores_expired_entries():
    clock = FakeClock()
    s = TTLStore(ttl=10, clock=clock)
    s.set("a", 1)
    clock.now += 5
    s.set("b", 2)
    clock.now += 5
    assert len(s) == 1


def test_purge_returns_count():
    clock = FakeClock()
    s = TTLStore(ttl=10, clock=clock)
    s.set("a", 1)
    s.set("b", 2)
    clock.now += 10
    s.set("c", 3)
    assert s.purge() == 2
    assert s.get("c") == 3
