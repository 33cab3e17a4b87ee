import pytest

from syncer.retry import retry


class Flaky:
    def __init__(self, failures, exc=ConnectionError):
        self.failures = failures
        self.exc = exc
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc(f"failure {self.calls}")
        return "ok"


def test_returns_value_after_transient_failures():
    delays = []
    fn = Flaky(2)
    assert retry(fn, attempts=3, sleep=delays.append) == "ok"
    assert fn.calls == 3


def test_reraises_last_exception_when_all_attempts_fail():
    fn = Flaky(5)
    with pytest.raises(ConnectionError, match="failure 3"):
        retry(fn, attempts=3, sleep=lambda s: None)
    assert fn.calls == 3


def test_exponential_backoff_without_final_sleep():
    delays = []
    with pytest.raises(TimeoutError):
        retry(Flaky(9, TimeoutError), attempts=4, base_delay=0.5, sleep=delays.append)
    assert delays == [0.5, 1.0, 2.0]


def test_delay_is_capped():
    delays = []
    with pytest.raises(ConnectionError):
        retry(Flaky(9), attempts=6, base_delay=1, max_delay=5, sleep=delays.append)
    assert delays == [1, 2, 4, 5, 5]


def test_other_exceptions_are_not_retried():
    fn = Flaky(1, ValueError)
    delays = []
    with pytest.raises(ValueError):
        retry(fn, attempts=3, sleep=delays.append)
    assert fn.calls == 1 and delays == []


def test_custom_retry_on():
    fn = Flaky(1, KeyError)
    assert retry(fn, retry_on=(KeyError,), sleep=lambda s: None) == "ok"
