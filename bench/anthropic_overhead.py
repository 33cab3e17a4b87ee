"""What does one model call cost the client, and does concurrency reach the ideal throughput?

    python bench/anthropic_overhead.py               # ~30 s
    python bench/anthropic_overhead.py --calls 500 --latency 0.5 --levels 1,16,64,128

The fake Messages API (tests/fakeapi.py) runs in a separate process, so the CPU time measured
here is the client's alone: evalkit's provider plus the anthropic SDK and its HTTP stack.

1. Overhead: sequential calls with zero server latency, through the raw SDK
   (``AsyncAnthropic.messages.create``) and through ``AnthropicProvider.respond`` (request
   building, cache breakpoints, retry loop, dict conversion, pricing). Wall and CPU ms per call.
2. Throughput: calls/s at several concurrency levels with injected server latency, against the
   ideal concurrency / latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit.providers.anthropic import AnthropicProvider  # noqa: E402
from evalkit.providers.base import ModelRequest  # noqa: E402

MODEL = "claude-sonnet-4-6"
KEY = "sk-fake-bench"


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fakeapi.py"), "--port", "0",
         "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True, cwd=str(ROOT),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "fakeapi: listening on http://127.0.0.1:PORT ..."
    url = line.split("listening on ", 1)[1].split()[0]
    return proc, url


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(turns: int = 3) -> ModelRequest:
    """A realistic mid-sample request: a system prompt and a few tool turns."""
    msgs: list[dict] = [{"role": "user", "content": "Fix the failing test in src/parse.py. " * 20}]
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


async def overhead(url: str, calls: int, pid: int) -> dict[str, tuple[float, ...]]:
    import anthropic

    req = request()
    out: dict[str, tuple[float, ...]] = {}

    client = anthropic.AsyncAnthropic(base_url=url, api_key=KEY, max_retries=0, timeout=60)
    p = AnthropicProvider(MODEL, base_url=url, api_key=KEY)
    params = p.build_params(req)

    async def raw() -> None:
        await client.messages.create(**params)

    async def prov() -> None:
        await p.respond(req)

    for name, fn in (("raw SDK", raw), ("provider", prov)):
        for _ in range(20):  # warm up: imports, connection pool
            await fn()
        walls = []
        s0 = cpu_of(pid)
        c0 = time.process_time()
        for _ in range(calls):
            w = time.perf_counter()
            await fn()
            walls.append(time.perf_counter() - w)
        cpu = (time.process_time() - c0) / calls
        server_cpu = (cpu_of(pid) - s0) / calls
        walls.sort()
        out[name] = (statistics.fmean(walls) * 1e3, walls[int(0.95 * (len(walls) - 1))] * 1e3,
                     cpu * 1e3, server_cpu * 1e3)
    await client.close()
    await p.aclose()
    return out


async def throughput(url: str, latency: float, level: int, calls: int) -> tuple[float, int]:
    p = AnthropicProvider(MODEL, base_url=url, api_key=KEY)
    req = request(1)
    await p.respond(req)  # warm up
    todo = iter(range(calls))

    async def worker() -> None:
        for _ in todo:
            await p.respond(req)

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(level)))
    elapsed = time.perf_counter() - t
    retries = p.retries
    await p.aclose()
    return calls / elapsed, retries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=300, help="sequential calls for overhead")
    ap.add_argument("--latency", type=float, default=0.2, help="server latency for throughput")
    ap.add_argument("--levels", default="1,8,32,64", help="concurrency levels")
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")

    proc, url = start_server(0.0)
    try:
        res = asyncio.run(overhead(url, a.calls, proc.pid))
    finally:
        proc.terminate()
        proc.wait()
    print(f"\nper call, zero server latency, {a.calls} sequential calls:")
    print(f"  {'':10} {'wall mean':>10} {'wall p95':>10} {'client CPU':>11} {'server CPU':>11}")
    for name, (mean, p95, cpu, scpu) in res.items():
        print(f"  {name:10} {mean:8.2f}ms {p95:8.2f}ms {cpu:9.2f}ms {scpu:9.2f}ms")
    extra = res["provider"][2] - res["raw SDK"][2]
    print(f"  provider over raw SDK: {extra:+.2f} ms CPU per call")

    proc, url = start_server(a.latency)
    try:
        print(f"\nthroughput, server latency {a.latency:g} s:")
        print(f"  {'concurrency':>11} {'calls/s':>9} {'ideal':>8} {'efficiency':>10}")
        for level in (int(x) for x in a.levels.split(",")):
            calls = max(4 * level, 20)
            rate, retries = asyncio.run(throughput(url, a.latency, level, calls))
            ideal = level / a.latency
            note = f"  ({retries} retries)" if retries else ""
            print(f"  {level:>11} {rate:9.1f} {ideal:8.1f} {rate / ideal:9.0%}{note}")
    finally:
        proc.terminate()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
