from pricing.memo import memoize


def make():
    calls = []

    @memoize
    def quote(currency, amount=1, *, fee=0):
        calls.append((currency, amount, fee))
        return f"{currency} {amount + fee}"

    return quote, calls


def test_positional_calls_are_cached():
    quote, calls = make()
    assert quote("EUR", 10) == quote("EUR", 10) == "EUR 10"
    assert len(calls) == 1


def test_keyword_arguments_are_part_of_the_key():
    quote, calls = make()
    assert quote("EUR", amount=10) == "EUR 10"
    assert quote("EUR", amount=20) == "EUR 20"
    assert quote("EUR", 5, fee=1) == "EUR 6"
    assert quote("EUR", 5, fee=2) == "EUR 7"


def test_positional_and_keyword_forms_share_an_entry():
    quote, calls = make()
    quote("EUR", 10)
    quote("EUR", amount=10)
    quote(currency="EUR", amount=10)
    assert len(calls) == 1


def test_defaults_are_applied_before_keying():
    quote, calls = make()
    quote("EUR")
    quote("EUR", 1)
    quote("EUR", 1, fee=0)
    assert len(calls) == 1


def test_cache_info_and_clear():
    quote, calls = make()
    quote("EUR", 1)
    quote("EUR", 1)
    quote("USD", 1)
    assert quote.cache_info() == {"hits": 1, "misses": 2, "size": 2}
    quote.cache_clear()
    assert quote.cache_info() == {"hits": 0, "misses": 0, "size": 0}
    assert quote.__name__ == "quote"
