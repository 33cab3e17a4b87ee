"""Uploads to the company object store (S3-compatible REST API)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class UploadError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"upload failed with HTTP {status}: {message}")
        self.status = status


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


def urllib_transport(method: str, url: str, data: bytes, headers: dict[str, str]) -> Response:
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, dict(err.headers or {}), err.read())


class Uploader:
    def __init__(
        self,
        endpoint: str,
        token: str,
        transport: Callable[..., Response] = urllib_transport,
        max_attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.transport = transport
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep

    def put(self, key: str, data: bytes) -> str:
        """Upload ``data`` under ``key``; returns the object's ETag."""
        headers = {"Authorization": f"Bearer {self.token}",
                   "Content-Type": "application/octet-stream"}
        resp = self.transport("PUT", f"{self.endpoint}/{key}", data, headers)
        if resp.status >= 400:
            raise UploadError(resp.status, resp.body.decode(errors="replace"))
        return resp.headers.get("ETag", "")
