import sqlite3

import pytest

from store.db import OPEN_CONNECTIONS, transaction


@pytest.fixture
def path(tmp_path):
    p = str(tmp_path / "app.db")
    with sqlite3.connect(p) as conn:
        conn.execute("create table items (name text)")
    return p


def rows(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("select name from items order by name")]
    finally:
        conn.close()


def test_commits_on_success(path):
    with transaction(path) as conn:
        conn.execute("insert into items values ('a')")
    assert rows(path) == ["a"]
    assert not OPEN_CONNECTIONS


def test_rolls_back_and_reraises(path):
    with pytest.raises(RuntimeError, match="boom"):
        with transaction(path) as conn:
            conn.execute("insert into items values ('half')")
            raise RuntimeError("boom")
    assert rows(path) == []


def test_closes_connection_on_error(path):
    with pytest.raises(KeyError):
        with transaction(path) as conn:
            conn.execute("insert into items values ('x')")
            raise KeyError("k")
    assert not OPEN_CONNECTIONS


def test_database_usable_after_failure(path):
    with pytest.raises(ValueError):
        with transaction(path) as conn:
            conn.execute("insert into items values ('x')")
            raise ValueError
    with transaction(path) as conn:
        conn.execute("insert into items values ('y')")
    assert rows(path) == ["y"]
