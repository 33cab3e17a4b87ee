import subprocess
import sys

import pytest

import evalkit
from evalkit import exitcodes
from evalkit.cli import COMMANDS, build_parser, main


def test_help_lists_every_command():
    text = build_parser().format_help()
    for name in COMMANDS:
        assert name in text


def test_help_imports_no_heavy_package():
    code = ("import sys, evalkit.cli; evalkit.cli.build_parser(); "
            "print(','.join(m for m in ('pandas','scipy','anthropic','datasets','numpy','jinja2')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves():
    for name in evalkit.__all__:
        assert getattr(evalkit, name) is not None, name


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out



@pytest.mark.parametrize("argv", [
    ["run", "--model", "sim:honest", "--tasks", "{missing}"],
    ["run", "--resume", "--out", "{missing}"],
    ["nightly", "--config", "{missing}"],
    ["merge", "{missing}", "--out", "{tmp}/merged"],
    ["export", "{missing}", "--csv", "{tmp}/x.csv"],
    ["doctor", "--tasks", "{missing}"],
    ["stats", "{missing}"],
    ["compare", "{missing}", "{missing}"],
    ["grade", "{missing}"],
    ["tasks", "validate", "{missing}"],
])
def test_a_path_that_does_not_exist_exits_usage_in_every_command(tmp_path, capsys, argv):
    args = [a.replace("{missing}", str(tmp_path / "no-such-path")).replace("{tmp}", str(tmp_path))
            for a in argv]
    assert main(args) == exitcodes.USAGE
    err = capsys.readouterr().err
    assert "no-such-path" in err and "Traceback" not in err


def test_exit_code_meanings_are_distinct_and_documented():
    codes = [exitcodes.OK, exitcodes.FAILED, exitcodes.USAGE, exitcodes.REGRESSION,
             exitcodes.INCOMPLETE, exitcodes.ERRORS, exitcodes.ENVIRONMENT]
    assert len(set(codes)) == len(codes) == len(exitcodes.MEANINGS)
    assert exitcodes.worst(exitcodes.ERRORS, exitcodes.REGRESSION) == exitcodes.ERRORS
