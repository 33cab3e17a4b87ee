import pytest

from fuzzy.distance import levenshtein, suggest


@pytest.mark.parametrize(
    "a, b, d",
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("flaw", "lawn", 2),
        ("kitten", "sitting", 2),
        ("gumbo", "gambol", 2),
        ("book", "back", 2),
        ("intention", "execution", 5),
    ],
)
def test_levenshtein(a, b, d):
    assert levenshtein(a, b) == d


def test_symmetric():
    assert levenshtein("commit", "comit") == levenshtein("comit", "commit") == 1


def test_suggest():
    assert suggest("comit", ["commit", "config", "clone", "cherry-pick"]) == ["commit"]
    assert suggest("stauts", ["status", "stash", "start"]) == ["start", "status"]
