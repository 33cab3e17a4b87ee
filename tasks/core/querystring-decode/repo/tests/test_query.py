from webutil.query import parse_query


def test_simple_pairs():
    assert parse_query("a=1&b=2") == {"a": "1", "b": "2"}


def test_leading_question_mark():
    assert parse_query("?a=1") == {"a": "1"}


def test_plus_is_space():
    assert parse_query("q=au+lait") == {"q": "au lait"}


def test_percent_escapes_are_utf8():
    assert parse_query("q=caf%C3%A9") == {"q": "café"}


def test_encoded_plus_stays_plus():
    assert parse_query("expr=1%2B1") == {"expr": "1+1"}


def test_repeated_keys_collect_values():
    assert parse_query("tag=a&tag=b&tag=c") == {"tag": ["a", "b", "c"]}


def test_key_without_value():
    assert parse_query("debug&x=1") == {"debug": "", "x": "1"}


def test_keys_are_decoded_too():
    assert parse_query("first%20name=Ann") == {"first name": "Ann"}


def test_empty_string():
    assert parse_query("") == {}
