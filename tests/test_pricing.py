"""Price table: model-name matching, user overrides, unknown models."""

from __future__ import annotations

import warnings

import pytest

from evalkit.pricing import Price, load_prices
from evalkit.records import Usage


@pytest.mark.parametrize("model,key", [
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("anthropic:claude-opus-4-1", "claude-opus-4-1"),
    ("claude-opus-4-0", "claude-opus-4"),
    ("claude-opus-4-20250514", "claude-opus-4"),
    ("claude-opus-4-5@20251101", "claude-opus-4-5"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
    ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6"),
    ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
    ("claude-3-7-sonnet-latest", "claude-3-7-sonnet"),
    ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
    ("claude-3-5-haiku-20241022", "claude-3-5-haiku"),
])
def test_model_ids_match_their_family_row(model, key):
    hit = load_prices().lookup(model)
    assert hit is not None and hit[0] == key


@pytest.mark.parametrize("model", ["claude-opus-4-9", "gpt-4o", "claude-sonnet-4-5-extra"])
def test_names_that_only_share_a_prefix_do_not_match(model):
    # "claude-opus-4-9" must not be priced as Opus 4 ($15) by accident
    assert load_prices().lookup(model) is None


def test_cost_uses_all_four_token_kinds():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000,
                  cache_creation_input_tokens=1_000_000, cache_read_input_tokens=1_000_000)
    assert load_prices().cost("claude-sonnet-4-5", usage) == pytest.approx(3 + 15 + 3.75 + 0.30)
    assert load_prices().cost("claude-haiku-4-5", usage) == pytest.approx(1 + 5 + 1.25 + 0.10)
    assert load_prices().cost("claude-opus-4-1", usage) == pytest.approx(15 + 75 + 18.75 + 1.5)


def test_one_hour_cache_writes_are_billed_at_their_own_rate():
    p = Price(input=3, output=15, cache_write=3.75, cache_read=0.3, cache_write_1h=6)
    u = Usage(cache_creation_input_tokens=1_000_000)
    assert p.cost(u, cache_write_1h_tokens=250_000) == pytest.approx(0.75 * 3.75 + 0.25 * 6)


def test_user_file_overrides_and_extends_the_builtin_table(tmp_path):
    f = tmp_path / "prices.toml"
    f.write_text(
        '[models.claude-sonnet-4-5]\ninput = 1.0\noutput = 2.0\n'
        '[models.my-model]\ninput = 10\noutput = 20\ncache_write = 12\ncache_read = 1\n'
        'aliases = ["house-model"]\n'
    )
    t = load_prices(f)
    s = t.price_for("claude-sonnet-4-5-20250929")
    assert s == Price(1.0, 2.0, 1.25, 0.1, None)  # missing cache rates: 1.25x / 0.1x input
    assert t.price_for("house-model-large") is None and t.price_for("house-model").input == 10
    assert t.price_for("claude-haiku-4-5").input == 1.0  # untouched built-in row


def test_evalkit_prices_env_var_names_the_override_file(tmp_path, monkeypatch):
    f = tmp_path / "p.toml"
    f.write_text('[models.claude-haiku-4-5]\ninput = 9\noutput = 9\n')
    monkeypatch.setenv("EVALKIT_PRICES", str(f))
    assert load_prices().price_for("claude-haiku-4-5").input == 9


def test_bad_override_file_names_file_and_field(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('[models.x]\ninput = "cheap"\noutput = 1\n')
    with pytest.raises(ValueError, match=r"bad\.toml: models\.x: prices must be numbers"):
        load_prices(f)
    f.write_text('[models.x]\ninput = 1\noutput = 1\ninptu = 3\n')
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['inptu'\]"):
        load_prices(f)
    with pytest.raises(ValueError, match="cannot read prices file"):
        load_prices(tmp_path / "missing.toml")


def test_unknown_model_costs_zero_and_warns_once():
    t = load_prices()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        assert t.cost("mystery-model", Usage(100, 100)) == 0.0
        assert t.cost("mystery-model", Usage(100, 100)) == 0.0
    assert len([w for w in rec if "mystery-model" in str(w.message)]) == 1
