import unicodedata

import pytest

from accounts.registry import NameTaken, Registry, canonical


def test_register_and_lookup_ignores_case():
    reg = Registry()
    reg.register("Alice")
    assert reg.lookup("ALICE") == "Alice"


def test_duplicate_ascii_name_rejected():
    reg = Registry()
    reg.register("bob")
    with pytest.raises(NameTaken):
        reg.register(" Bob ")


def test_nfc_and_nfd_are_the_same_user():
    reg = Registry()
    reg.register(unicodedata.normalize("NFC", "José"))
    with pytest.raises(NameTaken):
        reg.register(unicodedata.normalize("NFD", "José"))


def test_lookup_with_other_normal_form():
    reg = Registry()
    reg.register(unicodedata.normalize("NFD", "Zoë"))
    assert reg.lookup(unicodedata.normalize("NFC", "zoë")) == unicodedata.normalize("NFD", "Zoë")


def test_sharp_s_matches_double_s():
    reg = Registry()
    reg.register("Straße")
    with pytest.raises(NameTaken):
        reg.register("STRASSE")


def test_canonical_is_idempotent():
    for name in ["Straße", "José", "ǅemal", "ﬁnn"]:
        assert canonical(canonical(name)) == canonical(name)


def test_different_names_coexist():
    reg = Registry()
    for name in ["Ann", "Anna", "Änne"]:
        reg.register(name)
    assert len(reg) == 3
