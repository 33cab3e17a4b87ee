"""A minimal W3C WebDriver client over HTTP (stdlib only) for driving headless Chromium.

Debian's ``chromium`` + ``chromium-driver`` packages provide the browser and the driver; the
WebDriver protocol is plain JSON over HTTP, so no Selenium or Playwright is needed.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

#: where browser tests put their screenshots for a reviewer: outside the checkout (tests never
#: write into it); ``EVALKIT_SCREENSHOTS`` moves them
SCREENSHOTS = Path(os.environ.get("EVALKIT_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "evalkit-screenshots")

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1600",
]


def available() -> bool:
    return bool(shutil.which("chromedriver") and (shutil.which("chromium")
                                                  or Path("/usr/bin/chromium").exists()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One headless Chromium session; use as a context manager."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="evalkit-chrome-")
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                self._call("GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": shutil.which("chromium") or "/usr/bin/chromium",
                                   "args": [*CHROME_FLAGS, f"--user-data-dir={self.profile}"]},
        }}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload = json.loads(resp.read() or b"{}")
        value = payload.get("value", payload)
        if method == "POST" and path == "/session":
            return value
        return value

    def _s(self, method: str, path: str, body: dict | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def resize(self, width: int, height: int = 1200) -> None:
        """Set the window's outer size (the layout viewport is a little narrower)."""
        self._s("POST", "/window/rect", {"width": width, "height": height})

    def overflow(self) -> dict[str, Any]:
        """Horizontal overflow of the page: widths and the elements sticking out on the right."""
        return self.script("""
            const root = document.documentElement, limit = root.clientWidth;
            const out = [];
            for (const e of document.querySelectorAll('body *')) {
              const r = e.getBoundingClientRect();
              if (r.width && r.right > limit + 1) out.push(e.tagName.toLowerCase() +
                  (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined
                  ? '.' + String(e.className).split(' ').join('.') : '') +
                  ' right=' + Math.round(r.right));
            }
            return {scrollWidth: root.scrollWidth, clientWidth: limit, offenders: out.slice(0, 8)};
        """)

    def get(self, url: str) -> None:
        self._s("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        return self._s("GET", "/url")

    def script(self, source: str, *args: Any) -> Any:
        return self._s("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find_all(self, css: str) -> list[str]:
        found = self._s("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def click(self, element: str) -> None:
        self._s("POST", f"/element/{element}/click", {})

    def text(self, element: str) -> str:
        return self._s("GET", f"/element/{element}/text")

    def screenshot(self, dest: Path) -> Path:
        dest.write_bytes(base64.b64decode(self._s("GET", "/screenshot")))
        return dest

    def close(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.session}")
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
