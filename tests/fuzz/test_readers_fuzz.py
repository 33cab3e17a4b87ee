"""Issue 15: every reader, fed seeded damaged input, never crashes, names every record it
refuses (file and line, or fixture folder) and reads every good one. Larger runs:
``python bench/fuzz_readers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import readers

SIZES = {"import jsonl": 3000, "evalkit grade FILE": 1000, "evalkit.load": 2000,
         "grades.jsonl": 2000, "fixtures (task.toml)": 1000, "variants file": 2000,
         "nightly config": 2000}


@pytest.mark.parametrize("name", list(readers.READERS))
def test_reader_survives_fuzzed_input_naming_every_bad_record(name: str, tmp_path: Path) -> None:
    tally = readers.READERS[name](SIZES[name], 15, tmp_path)
    assert tally.crashes == 0, "\n".join(tally.problems)
    assert not tally.problems, "\n".join(tally.problems)
    assert tally.named and tally.read  # both kinds were exercised
    assert tally.cases == SIZES[name]


@pytest.mark.parametrize("setting, value", [
    ("epochs", "inf"), ("alpha", "nan"), ("max_cost_usd", "inf"), ("concurrency", "0"),
    ("results", "5"),
])
def test_nightly_config_refuses_non_finite_and_out_of_range_settings(
        tmp_path: Path, setting: str, value: str) -> None:
    """nan/inf and nonsense ranges in [nightly] were accepted (or crashed later on a Path of
    an int); now a ConfigError names the file and field."""
    from evalkit.nightly import ConfigError, load_config

    p = tmp_path / "nightly.toml"
    p.write_text(f"[nightly]\n{setting} = {value}\n[variants.base]\nmodel = \"sim:honest\"\n")
    with pytest.raises(ConfigError, match=rf"{p}.*field '{setting}'"):
        load_config(p)


def test_nightly_config_checks_variant_tables_when_loaded(tmp_path: Path) -> None:
    from evalkit.nightly import ConfigError, load_config

    p = tmp_path / "nightly.toml"
    p.write_text("[variants.base]\nmodel = \"sim:honest\"\ntemperature = nan\n")
    with pytest.raises(ConfigError, match=rf"{p}.*temperature"):
        load_config(p)
    p.write_text("nightly = 5\n")
    with pytest.raises(ConfigError, match=rf"{p}: field 'nightly'"):
        load_config(p)
