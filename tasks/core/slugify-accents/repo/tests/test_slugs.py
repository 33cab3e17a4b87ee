import unicodedata

from blog.slugs import slugify, unique_slug

TITLE = "Crème brûlée à la française"


def test_ascii_title():
    assert slugify("Hello, World!") == "hello-world"


def test_precomposed_accents():
    assert slugify(unicodedata.normalize("NFC", TITLE)) == "creme-brulee-a-la-francaise"


def test_decomposed_accents():
    assert slugify(unicodedata.normalize("NFD", TITLE)) == "creme-brulee-a-la-francaise"


def test_other_latin_letters():
    assert slugify("Ångström Über alles") == "angstrom-uber-alles"


def test_non_latin_is_dropped():
    assert slugify("日本 travel notes") == "travel-notes"


def test_max_length_cuts_at_word_boundary():
    assert slugify("a" * 10 + " " + "b" * 10, max_length=15) == "a" * 10


def test_unique_slug():
    assert unique_slug("Crème", {"creme", "creme-2"}) == "creme-3"
