import pytest

from appconf import ConfigError, load

SAMPLE = """
; global settings
debug = false

[server]
port = 8080   ; default port
Host = example.org # public name
motd = "Welcome; enjoy # the show"  ; quoted
path = /srv/www;v2

[Database]
URL = postgres://db/app
"""


def test_plain_values():
    assert load(SAMPLE)["DEFAULT"] == {"debug": "false"}


def test_inline_semicolon_comment():
    assert load(SAMPLE)["server"]["port"] == "8080"


def test_inline_hash_comment():
    assert load(SAMPLE)["server"]["host"] == "example.org"


def test_quoted_value_is_literal():
    assert load(SAMPLE)["server"]["motd"] == "Welcome; enjoy # the show"


def test_marker_without_space_is_part_of_value():
    assert load(SAMPLE)["server"]["path"] == "/srv/www;v2"


def test_names_are_case_insensitive():
    conf = load(SAMPLE)
    assert conf["database"]["url"] == "postgres://db/app"
    assert "Database" not in conf


def test_bad_line_names_line_number():
    with pytest.raises(ConfigError, match="line 2"):
        load("[a]\nnot a pair\n")
