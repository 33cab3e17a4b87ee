"""Task storage in a JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Task:
    id: int
    title: str
    priority: int = 3
    done: bool = False


def load(path: Path) -> list[Task]:
    if not path.exists():
        return []
    return [Task(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def save(path: Path, tasks: list[Task]) -> None:
    path.write_text(json.dumps([asdict(t) for t in tasks], indent=2), encoding="utf-8")
