from csvlite import parse_line, parse_text


def test_plain_fields():
    assert parse_line("a,b,c") == ["a", "b", "c"]


def test_empty_fields_are_kept():
    assert parse_line("a,,c,") == ["a", "", "c", ""]


def test_quoted_field_with_comma():
    assert parse_line('1042,"Acme, Inc.",19.99') == ["1042", "Acme, Inc.", "19.99"]


def test_doubled_quote_is_one_quote():
    assert parse_line('x,"He said ""hi""",y') == ["x", 'He said "hi"', "y"]


def test_empty_quoted_field():
    assert parse_line('"",b') == ["", "b"]


def test_unquoted_spaces_are_preserved():
    assert parse_line(" a , b") == [" a ", " b"]


def test_other_separator():
    assert parse_line('a;"b;c";d', sep=";") == ["a", "b;c", "d"]


def test_parse_text_strips_line_endings():
    assert parse_text('id,name\r\n1,"Doe, J"\r\n') == [["id", "name"], ["1", "Doe, J"]]
