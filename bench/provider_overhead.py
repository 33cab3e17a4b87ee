"""Per-turn overhead of the openai: provider over the HTTP round trip, beside the anthropic one.

    python bench/provider_overhead.py                 # ~1-2 min on 2 busy cores
    python bench/provider_overhead.py --calls 500 --rounds 5

Both fake servers (tests/fakeopenai.py, tests/fakeapi.py) run in their own processes with zero
latency, so the CPU measured here is the client's: the SDK and its HTTP stack, plus, for the
provider rows, evalkit's work per turn (translating the Anthropic-shaped transcript to the wire
format and back, the retry loop, usage and pricing). Each provider is timed against its own raw
SDK call with the same request, in the same run, in alternating rounds (best round kept), so
machine load hits both alike. Printed: wall and CPU ms per call, the provider's CPU over the raw
SDK, that overhead as a share of the raw round trip, and openai/anthropic ratios. Because that
difference is small next to the SDKs' own jitter, evalkit's translation work is also timed alone,
in process (request building and response conversion, no HTTP): a stable per-turn figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit.providers.anthropic import AnthropicProvider  # noqa: E402
from evalkit.providers.base import ModelRequest  # noqa: E402
from evalkit.providers.openai import OpenAIProvider  # noqa: E402

KEY = "sk-fake-bench"


def start(script: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / script), "--port", "0"],
                            stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "...: listening on http://127.0.0.1:PORT[/v1] ..."
    return proc, line.split("listening on ", 1)[1].split()[0]


def request(turns: int = 3) -> ModelRequest:
    """A mid-sample request: a system prompt and a few bash turns (the same for both)."""
    msgs: list[dict[str, Any]] = [{"role": "user",
                                   "content": "Fix the failing test in src/parse.py. " * 20}]
    for i in range(turns):
        msgs.append({"role": "assistant", "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": f"toolu_{i}", "name": "bash",
             "input": {"command": "pytest -q"}}]})
        msgs.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": f"toolu_{i}",
             "content": "F..\n" + "E   assert 1 == 2\n" * 40 + "1 failed, 2 passed in 0.05s"}]})
    return ModelRequest(system="You are a careful engineer. " * 60, messages=msgs,
                        max_tokens=4096)


async def timed(fn: Callable[[], Awaitable[Any]], calls: int) -> tuple[float, float, float]:
    """(wall mean ms, wall p95 ms, client CPU ms) per call."""
    walls = []
    c0 = time.process_time()
    for _ in range(calls):
        w = time.perf_counter()
        await fn()
        walls.append(time.perf_counter() - w)
    cpu = (time.process_time() - c0) / calls
    walls.sort()
    return (statistics.fmean(walls) * 1e3, walls[int(0.95 * (len(walls) - 1))] * 1e3, cpu * 1e3)


async def measure(oa_url: str, an_url: str, calls: int, rounds: int
                  ) -> dict[str, tuple[float, float, float]]:
    import anthropic
    import openai

    req = request()
    oa = OpenAIProvider("gpt-4.1", base_url=oa_url, api_key=KEY)
    an = AnthropicProvider("claude-sonnet-4-6", base_url=an_url, api_key=KEY)
    oa_client = openai.AsyncOpenAI(base_url=oa_url, api_key=KEY, max_retries=0, timeout=60)
    an_client = anthropic.AsyncAnthropic(base_url=an_url, api_key=KEY, max_retries=0, timeout=60)
    oa_params, an_params = oa.build_params(req), an.build_params(req)
    fns: dict[str, Callable[[], Awaitable[Any]]] = {
        "openai raw SDK": lambda: oa_client.chat.completions.create(**oa_params),
        "openai provider": lambda: oa.respond(req),
        "anthropic raw SDK": lambda: an_client.messages.create(**an_params),
        "anthropic provider": lambda: an.respond(req),
    }
    for fn in fns.values():  # warm up: imports, connection pools
        for _ in range(20):
            await fn()
    best: dict[str, tuple[float, float, float]] = {}
    for _ in range(rounds):
        for name, fn in fns.items():
            res = await timed(fn, calls)
            if name not in best or res[2] < best[name][2]:
                best[name] = res
    for c in (oa_client, an_client):
        await c.close()
    await oa.aclose()
    await an.aclose()
    return best


def translation(n: int) -> dict[str, float]:
    """Microseconds per turn of evalkit's own work, no HTTP: build the request from the
    transcript, convert a tool-call response back, read usage."""
    from types import SimpleNamespace

    from evalkit.providers.anthropic import _content_dicts
    from evalkit.providers.anthropic import _usage as an_usage
    from evalkit.providers.openai import _usage as oa_usage
    from evalkit.providers.openai import from_chat_message

    req = request()
    oa = OpenAIProvider("gpt-4.1", base_url="http://127.0.0.1:9/v1", api_key=KEY)
    an = AnthropicProvider("claude-sonnet-4-6", base_url="http://127.0.0.1:9", api_key=KEY)
    oa_resp = {"choices": [{"message": {"content": "Running.", "tool_calls": [
        {"id": "c1", "type": "function",
         "function": {"name": "bash", "arguments": '{"command": "pytest -q"}'}}]},
        "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 20,
                  "prompt_tokens_details": {"cached_tokens": 512}}}
    an_msg = SimpleNamespace(content=[
        {"type": "text", "text": "Running."},
        {"type": "tool_use", "id": "t1", "name": "bash", "input": {"command": "pytest -q"}}],
        usage=SimpleNamespace(input_tokens=388, output_tokens=20, cache_read_input_tokens=512,
                              cache_creation_input_tokens=0, cache_creation=None))

    def one_oa() -> None:
        oa.build_params(req)
        ch = oa_resp["choices"][0]
        from_chat_message(ch["message"], ch["finish_reason"])
        oa_usage(oa_resp)

    def one_an() -> None:
        an.build_params(req)
        _content_dicts(an_msg)
        an_usage(an_msg)

    out = {}
    for name, fn in (("openai", one_oa), ("anthropic", one_an)):
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(n):
                fn()
            best = min(best, (time.perf_counter() - t) / n)
        out[name] = best * 1e6
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=100, help="sequential calls per round")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; best kept")
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    (oa_proc, oa_url), (an_proc, an_url) = start("fakeopenai.py"), start("fakeapi.py")
    try:
        res = asyncio.run(measure(oa_url, an_url, a.calls, a.rounds))
    finally:
        for p in (oa_proc, an_proc):
            p.terminate()
            p.wait()
    print(f"\nper call, zero server latency, best of {a.rounds} rounds x {a.calls} calls:")
    print(f"  {'':20} {'wall mean':>10} {'wall p95':>10} {'client CPU':>11}")
    for name, (mean, p95, cpu) in res.items():
        print(f"  {name:20} {mean:8.2f}ms {p95:8.2f}ms {cpu:9.2f}ms")
    over = {}
    for which in ("openai", "anthropic"):
        raw, prov = res[f"{which} raw SDK"], res[f"{which} provider"]
        over[which] = prov[2] - raw[2]
        print(f"  {which} provider over its raw SDK: {over[which]:+.2f} ms CPU per turn "
              f"({over[which] / raw[0]:+.1%} of the raw round trip, {raw[0]:.2f} ms)")
    if over["anthropic"] > 0:
        print(f"  overhead ratio openai/anthropic: {over['openai'] / over['anthropic']:.2f}")
    print(f"  provider wall ratio openai/anthropic: "
          f"{res['openai provider'][0] / res['anthropic provider'][0]:.2f}")
    tr = translation(2000)
    print("\nevalkit's own work per turn, in process (build request, convert response, usage), "
          "best of 5 x 2000:")
    for which in ("openai", "anthropic"):
        raw = res[f"{which} raw SDK"][0]
        print(f"  {which:10} {tr[which]:7.1f} us  ({tr[which] / 1e3 / raw:.2%} of the raw "
              f"round trip)")
    print(f"  ratio openai/anthropic: {tr['openai'] / tr['anthropic']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
