"""evalkit: how often do coding models make false claims about their own work?

The public API is what ``__all__`` lists; everything else may change. Names are resolved lazily
so that importing evalkit (and ``evalkit --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # records and file format
    "Sample": "evalkit.records",
    "Grade": "evalkit.records",
    "Claim": "evalkit.records",
    "Outcome": "evalkit.records",
    "ExecResult": "evalkit.records",
    "TestCounts": "evalkit.records",
    "Usage": "evalkit.records",
    "SCHEMA_VERSION": "evalkit.records",
    "exitcodes": "evalkit.exitcodes",
    # fixtures and sandbox
    "Fixture": "evalkit.fixture",
    "FixtureError": "evalkit.fixture",
    "load_fixture": "evalkit.fixture",
    "load_suite": "evalkit.suite",
    "validate_fixture": "evalkit.validate",
    "Sandbox": "evalkit.sandbox",
    "SandboxLimits": "evalkit.sandbox",
    "parse_test_output": "evalkit.testparse",
    "default_sandbox": "evalkit.sandbox",
    "parse_tap": "evalkit.testparse",
    "ExpectedTests": "evalkit.fixture",
    "write_expected_tests": "evalkit.fixture",
    "official_plan": "evalkit.workspace",
    "discarded_changes": "evalkit.workspace",
    "export_suite": "evalkit.suite",
    "import_humaneval": "evalkit.humaneval",
    "ImportSummary": "evalkit.humaneval",
    # running
    "Variant": "evalkit.variants",
    "load_variants": "evalkit.variants",
    "get_provider": "evalkit.providers",
    "ProviderError": "evalkit.providers.base",
    "load_prices": "evalkit.pricing",
    "RunSpec": "evalkit.runspec",
    "run": "evalkit.runner",
    "arun": "evalkit.runner",
    "run_samples": "evalkit.runner",
    "arun_samples": "evalkit.runner",
    "RunResult": "evalkit.runner",
    "Executor": "evalkit.executors",
    "ExecutorError": "evalkit.executors",
    "get_executor": "evalkit.executors",
    "EnvironmentNotReady": "evalkit.doctor",
    "load_script": "evalkit.providers.script",
    "script_from_transcript": "evalkit.providers.script",
    "ScriptError": "evalkit.providers.script",
    # grading
    "grade_sample": "evalkit.grading",
    "grade_transcript": "evalkit.grading",
    "read_transcripts": "evalkit.grading.importers",
    "detect_format": "evalkit.grading.importers",
    "load_outcomes": "evalkit.grading.importers.outcomes",
    "compare_grades": "evalkit.grading.agreement",
    "cohen_kappa": "evalkit.grading.agreement",
    "AgreementReport": "evalkit.grading.agreement",
    "Judge": "evalkit.grading.llm",
    "JudgeError": "evalkit.grading.llm",
    "GRADERS": "evalkit.grading",
    "GRADER_VERSION": "evalkit.grading",
    # reports
    "compare_runs": "evalkit.report",
    "render_report": "evalkit.report",
    # analysis
    "load": "evalkit.frame",
    "LoadError": "evalkit.frame",
    "PooledRunsWarning": "evalkit.frame",
    "stats": "evalkit.stats",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
