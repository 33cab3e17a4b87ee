import pytest

from metrics.rolling import max_in_windows, moving_average, windows

SERIES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_window_count():
    assert len(windows(SERIES, 3)) == 8
    assert windows(SERIES, 3)[-1] == [8, 9, 10]


def test_window_of_full_length():
    assert windows(SERIES, 10) == [SERIES]


def test_too_short_series_gives_no_windows():
    assert windows([1, 2], 3) == []
    assert moving_average([1, 2], 3) == []
    assert max_in_windows([1, 2], 3) == []


def test_moving_average_includes_latest():
    assert moving_average(SERIES, 3) == [2, 3, 4, 5, 6, 7, 8, 9]


def test_moving_average_window_one_is_identity():
    assert moving_average([4, 8, 15], 1) == [4, 8, 15]


def test_max_in_windows():
    assert max_in_windows([3, 1, 4, 1, 5, 9, 2], 3) == [4, 4, 5, 9, 9]


def test_bad_size():
    with pytest.raises(ValueError):
        windows(SERIES, 0)
