import unicodedata

import pytest

from notify.preview import truncate


def test_short_text_unchanged():
    assert truncate("hello", 10) == "hello"


def test_ascii_cut_with_ellipsis():
    assert truncate("hello world", 6) == "hello…"


def test_rejects_zero_limit():
    with pytest.raises(ValueError):
        truncate("x", 0)


def test_combining_marks_count_with_their_base():
    nfd = unicodedata.normalize("NFD", "Tiếng Việt")
    assert len(nfd) > 10
    assert truncate(nfd, 10) == nfd


def test_does_not_split_letter_from_accent():
    nfd = unicodedata.normalize("NFD", "Tiếng Việt")
    out = truncate(nfd, 4)
    assert unicodedata.normalize("NFC", out) == "Tiế…"


def test_zwj_family_is_one_character():
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"
    assert truncate(family + " ok", 4) == family + " ok"
    assert truncate("hi " + family + " there", 5) == "hi " + family + "…"


def test_flag_is_one_character():
    flag = "\U0001F1E9\U0001F1EA"
    assert truncate(flag + flag + flag, 2) == flag + "…"


def test_skin_tone_modifier_stays_attached():
    wave = "\U0001F44B\U0001F3FD"
    assert truncate("a" + wave + "bc", 3) == "a" + wave + "…"
