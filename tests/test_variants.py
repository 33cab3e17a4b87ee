"""Variants: TOML tables, packaged prompts, config hashes, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.variants import Variant, VariantError, adhoc_variant, load_variants

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variants.toml"
    path.write_text(text)
    return path


def test_example_file_loads_with_all_settings() -> None:
    variants = load_variants(ROOT / "docs" / "examples" / "variants.toml")
    sonnet = variants["sonnet"]
    assert sonnet.model == "anthropic:claude-sonnet-4-6" and sonnet.max_turns == 40
    assert sonnet.wall_time_s == 600.0 and sonnet.temperature == 0.0
    assert variants["sonnet-faithful"].thinking_budget == 2048
    assert variants["sim-v2"].simulated and variants["sim-v2"].label == "sim-v2 [simulated]"
    assert variants["sim-honest-fast"].options == {"latency": 0.0}


def test_packaged_prompts_render_without_leaking_the_task() -> None:
    for prompt in ("default", "faithful"):
        text = Variant("v", "sim:honest", prompt=prompt).render_system(language="python")
        assert "python repository" in text and "{{" not in text
        assert "impossible" not in text and "outcome" not in text
    faithful = Variant("v", "sim:honest", prompt="faithful").render_system(language="python")
    assert "could not check" in faithful and "fail" in faithful


def test_prompt_path_is_relative_to_the_toml(tmp_path: Path) -> None:
    (tmp_path / "p.j2").write_text("Be brief about {{ language }}.")
    path = write(tmp_path, '[variants.a]\nmodel = "sim:honest"\nprompt = "p.j2"\n')
    assert load_variants(path)["a"].render_system(language="js") == "Be brief about js."


def test_config_hash_changes_with_settings_and_prompt_but_not_options() -> None:
    base = Variant("a", "sim:honest")
    assert base.config_hash == Variant("b", "sim:honest").config_hash
    assert base.config_hash != Variant("a", "sim:honest", prompt="faithful").config_hash
    assert base.config_hash != Variant("a", "sim:honest", max_turns=3).config_hash
    assert base.config_hash == Variant("a", "sim:honest", options={"latency": 1}).config_hash


def test_adhoc_variant_is_named_after_the_model() -> None:
    v = adhoc_variant("sim:hedger")
    assert v.name == "sim:hedger" and v.prompt == "default"
    assert Variant.from_json(v.to_json()) == v


@pytest.mark.parametrize("text, needle", [
    ('[variants.a]\nmodel = "sim:honest"\ncolour = 1\n', "unknown key 'colour'"),
    ('[variants.a]\nprompt = "default"\n', "key 'model'"),
    ('[variants.a]\nmodel = "sim:honest"\nmax_tokens = -5\n', "key 'max_tokens'"),
    ('[variants.a]\nmodel = "sim:honest"\n[variants.a.limits]\nturn = 3\n', "limits.turn"),
    ('[variants.a]\nmodel = "sim:honest"\nprompt = "missing.j2"\n', "missing.j2"),
    ('model = "x"\n', "[variants.NAME]"),
    ("[variants.a\n", "not valid TOML"),
])
def test_errors_name_the_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(VariantError) as info:
        load_variants(path)
    assert needle in str(info.value) and str(path) in str(info.value)


def test_nightly_example_config_parses_into_variants():
    from evalkit import nightly

    config = nightly.load_config(ROOT / "docs" / "examples" / "nightly.claude.toml")
    variants = nightly._variants(config)
    assert [v.name for v in variants] == ["sonnet-4-6", "opus-4-6-faithful"]
    assert variants[1].prompt == "faithful" and variants[1].thinking_budget == 4096


def test_behavioural_options_are_in_the_config_hash() -> None:
    plain = Variant("v", "anthropic:claude-x")
    for options in ({"thinking_mode": "adaptive"}, {"client_tools": True},
                    {"prompt_cache": False}, {"base_url": "http://127.0.0.1:9"},
                    {"fc": 0.5}, {"seed": 7}):
        assert Variant("v", "anthropic:claude-x", options=options).config_hash != plain.config_hash
    assert (Variant("v", "sim:mix", options={"fc": 0.3}).config_hash
            != Variant("v", "sim:mix", options={"fc": 0.5}).config_hash)


def test_pacing_retries_and_credentials_are_left_out_of_the_hash() -> None:
    plain = Variant("v", "anthropic:claude-x")
    for options in ({"latency": 0.2}, {"concurrency": 8}, {"timeout": 30},
                    {"max_attempts": 2}, {"api_key": "sk-1"}, {"api_key_env": "MY_KEY"}):
        assert Variant("v", "anthropic:claude-x", options=options).config_hash == plain.config_hash


def test_a_variant_without_options_keeps_the_hash_it_had_before_options_were_hashed() -> None:
    # the value from before options entered the hash (commit 8b063a5): old runs keep their ids
    assert adhoc_variant("sim:honest").config_hash == "627e0403d608"


@pytest.mark.parametrize("text, needle", [
    ('[variants.a]\nmodel = "sim:honest"\ntemperature = nan\n', "key 'temperature'"),
    ('[variants.a]\nmodel = "sim:honest"\ntemperature = inf\n', "key 'temperature'"),
    ('[variants.a]\nmodel = "sim:honest"\n[variants.a.limits]\nwall_time = inf\n',
     "key 'limits.wall_time'"),
    ('[variants.a]\nmodel = "sim:honest"\nmax_tokens = 99999999999999999999\n',
     "key 'max_tokens'"),
    ("x = " + "[" * 10_000 + "]" * 10_000 + "\n", "nested too deeply"),
])
def test_non_finite_numbers_and_deep_nesting_are_variant_errors(tmp_path: Path, text: str,
                                                                needle: str) -> None:
    """Issue 15: nan passed the old ``< 0`` check, inf reached the provider, and a deeply
    nested file raised RecursionError out of tomllib."""
    p = tmp_path / "v.toml"
    p.write_text(text)
    with pytest.raises(VariantError) as info:
        load_variants(p)
    assert str(p) in str(info.value)
    assert needle in str(info.value)
