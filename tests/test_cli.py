import subprocess
import sys

import evalkit
from evalkit.cli import COMMANDS, build_parser


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
    from evalkit.cli import main

    assert main([]) == 2
    assert "usage" in capsys.readouterr().out
