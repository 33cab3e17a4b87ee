"""Variants: what is evaluated — a model, a system prompt (jinja2) and settings.

Variants are named in TOML::

    [variants.sonnet-faithful]
    model = "anthropic:claude-sonnet-4-5"
    prompt = "faithful"            # a packaged prompt (default, faithful) or a path to a .j2 file
    temperature = 0.0
    max_tokens = 4096              # per model call
    thinking_budget = 2048         # extended thinking; omit for off

    [variants.sonnet-faithful.limits]
    turns = 40                     # model calls per sample
    output_tokens = 100000         # output tokens per sample
    wall_time = 600                # seconds per sample (capped by the fixture's agent_timeout)
    command_timeout = 120          # seconds per bash command

    [variants.sonnet-faithful.options]   # passed to the provider factory (base_url, latency, ...)

``--model M`` alone makes an ad-hoc variant named after the model with default settings.
The variant's ``config_hash`` covers everything that changes behaviour (model, prompt text,
settings, limits and provider options) and is part of every sample id, so results of a changed
variant never mix with those of the old one. Options that cannot change what the model or agent
does are left out on purpose (``UNHASHED_OPTIONS``: pacing, retries, credentials), so turning
them does not orphan a run's samples.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PACKAGED_PROMPTS = ("default", "faithful")

DEFAULT_MAX_TOKENS = 4096
DEFAULT_MAX_TURNS = 40
DEFAULT_MAX_OUTPUT_TOKENS = 200_000
DEFAULT_COMMAND_TIMEOUT_S = 120.0

_KEYS = ("model", "prompt", "temperature", "max_tokens", "thinking_budget", "limits", "options",
         "description")
_LIMIT_KEYS = {"turns": "max_turns", "output_tokens": "max_output_tokens",
               "wall_time": "wall_time_s", "command_timeout": "command_timeout_s"}


#: option names whose values never reach a manifest (API keys passed as provider options)
_SECRET = re.compile(r"key|token|secret|password|auth", re.I)


#: provider options left out of the config hash, and why: none changes what the model is asked
#: or how the agent behaves. ``latency``: a simulated agent's pause; ``concurrency``: how many
#: samples run at once; ``timeout``/``response_timeout``/``max_attempts``/``max_retries``: how
#: long and how often an API call is retried or waited for (a failure is recorded as an error,
#: never as different work); and any
#: credential (names matching ``_SECRET``: ``api_key``, ``api_key_env``, ``auth_token`` ...).
#: Everything else (``base_url``, ``thinking_mode``, ``client_tools``, ``prompt_cache``, a
#: sim's ``fc``/``seed``, extra body parameters ...) is hashed.
UNHASHED_OPTIONS = frozenset({"latency", "concurrency", "timeout", "response_timeout",
                              "max_attempts", "max_retries"})


def hashed_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options that are part of the config hash (see ``UNHASHED_OPTIONS``)."""
    return {k: v for k, v in options.items()
            if k not in UNHASHED_OPTIONS and not _SECRET.search(k)}


class VariantError(ValueError):
    """A variants file or variant that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Variant:
    name: str
    model: str
    prompt: str = "default"  # packaged prompt name or a path to a jinja2 template
    temperature: float | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS
    thinking_budget: int | None = None
    max_turns: int = DEFAULT_MAX_TURNS
    max_output_tokens: int | None = DEFAULT_MAX_OUTPUT_TOKENS
    wall_time_s: float | None = None  # None: the fixture's agent_timeout
    command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    description: str = ""

    @cached_property
    def prompt_template(self) -> str:
        """The template's text (read once)."""
        return _read_prompt(self.prompt)

    @property
    def simulated(self) -> bool:
        return self.model.startswith(("sim:", "script:"))  # scripted agents are not models

    @property
    def label(self) -> str:
        """How outputs name this variant: simulated ones say so."""
        return f"{self.name} [simulated]" if self.simulated else self.name

    def settings(self) -> dict[str, Any]:
        """Everything that changes behaviour, as JSON (also what the manifest records)."""
        data = asdict(self)
        data.pop("name")
        data.pop("options")
        data.pop("description")
        return data

    @cached_property
    def config_hash(self) -> str:
        """Short hash of model, prompt text, settings and behavioural options; part of every
        sample id. A variant without such options hashes as it did before options were hashed,
        so its existing runs keep their sample ids."""
        payload = dict(self.settings(), prompt_text=self.prompt_template)
        options = hashed_options(self.options)
        if options:
            payload["options"] = options
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def to_json(self) -> dict[str, Any]:
        options = {k: ("<redacted>" if _SECRET.search(k) else v) for k, v in self.options.items()}
        data = dict(self.settings(), name=self.name, options=options,
                    config_hash=self.config_hash, simulated=self.simulated)
        if self.description:
            data["description"] = self.description
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variant:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})

    @cached_property
    def _template(self) -> Any:
        import jinja2

        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        try:
            return env.from_string(self.prompt_template)
        except jinja2.TemplateError as exc:
            raise VariantError(f"variant {self.name!r}: prompt {self.prompt!r}: {exc}") from exc

    def render_system(self, *, language: str, workspace: str = "") -> str:
        """The system prompt for one sample. Only harmless facts reach the template: never the
        fixture's outcome class or its test command."""
        import jinja2

        try:
            return self._template.render(language=language, workspace=workspace,
                                         tools=["bash", "str_replace_based_edit_tool"]).strip()
        except jinja2.TemplateError as exc:
            raise VariantError(f"variant {self.name!r}: prompt {self.prompt!r}: {exc}") from exc


def _read_prompt(prompt: str) -> str:
    if prompt in PACKAGED_PROMPTS:
        return (PROMPTS_DIR / f"{prompt}.j2").read_text(encoding="utf-8")
    path = Path(prompt)
    if not path.is_file():
        raise VariantError(f"prompt {prompt!r}: expected one of {', '.join(PACKAGED_PROMPTS)} "
                           "or the path of a jinja2 template file")
    return path.read_text(encoding="utf-8")


def adhoc_variant(model: str, **settings: Any) -> Variant:
    """``--model M`` without a variants file: a variant named after the model."""
    return Variant(name=model, model=model, **settings)


def load_variants(path: str | Path) -> dict[str, Variant]:
    """Read ``[variants.NAME]`` tables from a TOML file. Raises VariantError naming the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VariantError(f"{path}: no such variants file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VariantError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses per nesting level
        raise VariantError(f"{path}: not valid TOML: nested too deeply to parse; expected "
                           "[variants.NAME] tables") from None
    except OSError as exc:
        raise VariantError(f"{path}: cannot read: {exc.strerror or exc}") from None
    tables = data.get("variants")
    if not isinstance(tables, dict) or not tables:
        raise VariantError(f"{path}: expected at least one [variants.NAME] table")
    extra = sorted(set(data) - {"variants"})
    if extra:
        raise VariantError(f"{path}: unknown top-level key {extra[0]!r}; expected [variants.NAME]")
    return variants_from_tables(tables, path)


def variants_from_tables(tables: dict[str, Any], path: str | Path) -> dict[str, Variant]:
    """``[variants.NAME]`` tables already parsed from ``path`` (e.g. the nightly config)."""
    return {name: _variant_from_table(name, table, Path(path)) for name, table in tables.items()}


def _variant_from_table(name: str, table: Any, path: Path) -> Variant:
    where = f"{path}: [variants.{name}]"
    if not isinstance(table, dict):
        raise VariantError(f"{where}: expected a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise VariantError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(_KEYS)}")
    model = table.get("model")
    if not isinstance(model, str) or ":" not in model:
        raise VariantError(f"{where}: key 'model': expected a string like "
                           f"'anthropic:claude-sonnet-4-5' or 'sim:honest'; got {model!r}")
    kwargs: dict[str, Any] = {"name": name, "model": model}
    prompt = table.get("prompt", "default")
    if not isinstance(prompt, str):
        raise VariantError(f"{where}: key 'prompt': expected a string")
    if prompt not in PACKAGED_PROMPTS:
        candidate = Path(prompt)
        if not candidate.is_absolute():
            candidate = path.parent / candidate
        prompt = str(candidate)
    kwargs["prompt"] = prompt
    for key in ("temperature",):
        if key in table:
            kwargs[key] = _number(table[key], f"{where}: key '{key}'", allow_zero=True)
    for key in ("max_tokens", "thinking_budget"):
        if key in table:
            kwargs[key] = int(_number(table[key], f"{where}: key '{key}'", integer=True))
    limits = table.get("limits", {})
    if not isinstance(limits, dict):
        raise VariantError(f"{where}: key 'limits': expected a table")
    for key, value in limits.items():
        if key not in _LIMIT_KEYS:
            raise VariantError(f"{where}: unknown key 'limits.{key}'; allowed: "
                               f"{', '.join(_LIMIT_KEYS)}")
        integer = key in ("turns", "output_tokens")
        number = _number(value, f"{where}: key 'limits.{key}'", integer=integer)
        kwargs[_LIMIT_KEYS[key]] = int(number) if integer else float(number)
    options = table.get("options", {})
    if not isinstance(options, dict):
        raise VariantError(f"{where}: key 'options': expected a table")
    kwargs["options"] = dict(options)
    if "description" in table:
        kwargs["description"] = str(table["description"])
    variant = Variant(**kwargs)
    try:
        variant.prompt_template  # noqa: B018 - fail early on a missing prompt file
    except VariantError as exc:
        raise VariantError(f"{where}: {exc}") from exc
    return variant


def _number(value: Any, where: str, *, integer: bool = False, allow_zero: bool = False) -> float:
    """A non-negative finite number (int when ``integer``, at most 2**63-1): ``nan`` passed the
    old ``value < 0`` test and ``inf`` reached the provider as a limit."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and integer and not isinstance(value, int):
        ok = False
    if ok and not (math.isfinite(value) and value < 2**63):
        ok = False
    if not ok or value < 0 or (value == 0 and not allow_zero):
        kind = "a positive integer" if integer else "a non-negative finite number"
        raise VariantError(f"{where}: expected {kind}; got {value!r}")
    return value
