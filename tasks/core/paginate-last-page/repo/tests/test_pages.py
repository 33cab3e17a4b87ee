import pytest

from catalog.pages import PageOutOfRange, paginate

ITEMS = list(range(1, 46))  # 45 products


def test_first_page():
    page = paginate(ITEMS, 1, 10)
    assert page.items == list(range(1, 11))
    assert page.has_prev is False and page.has_next is True


def test_partial_last_page():
    page = paginate(ITEMS, 5, 10)
    assert page.total_pages == 5
    assert page.items == [41, 42, 43, 44, 45]
    assert page.has_next is False


def test_exact_multiple():
    page = paginate(list(range(40)), 4, 10)
    assert page.total_pages == 4
    assert page.items == list(range(30, 40))


def test_every_item_appears_once():
    seen = []
    for n in range(1, paginate(ITEMS, 1, 7).total_pages + 1):
        seen += paginate(ITEMS, n, 7).items
    assert seen == ITEMS


def test_empty_list_has_one_empty_page():
    page = paginate([], 1, 10)
    assert page.items == [] and page.total_pages == 1 and not page.has_next


@pytest.mark.parametrize("n", [0, 6, -1])
def test_out_of_range(n):
    with pytest.raises(PageOutOfRange):
        paginate(ITEMS, n, 10)
