"""Command line interface: add, list, done."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from todo.store import Task, load, save


def _db(args: argparse.Namespace) -> Path:
    return Path(args.file or os.environ.get("TODO_FILE", "todo.json"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def cmd_add(args: argparse.Namespace) -> int:
    tasks = load(_db(args))
    next_id = max((t.id for t in tasks), default=0) + 1
    tasks.append(Task(next_id, args.title, args.priority))
    save(_db(args), tasks)
    print(f"added {next_id}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    tasks = [t for t in load(_db(args)) if args.all or not t.done]
    tasks.sort(key=lambda t: (t.priority, t.id))
    shown = tasks if args.limit is None else tasks[: args.limit]
    for t in shown:
        mark = "x" if t.done else " "
        print(f"[{mark}] {t.id:>3}  p{t.priority}  {t.title}")
    if len(shown) < len(tasks):
        print(f"... and {len(tasks) - len(shown)} more")
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    tasks = load(_db(args))
    for t in tasks:
        if t.id == args.id:
            t.done = True
            save(_db(args), tasks)
            return 0
    print(f"no task {args.id}")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo")
    parser.add_argument("--file", help="task file (default: $TODO_FILE or ./todo.json)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a task")
    add.add_argument("title")
    add.add_argument("--priority", "-p", type=int, default=3)
    add.set_defaults(func=cmd_add)
    lst = sub.add_parser("list", help="list open tasks")
    lst.add_argument("--limit", "-n", type=_positive_int, default=None,
                     help="show at most N tasks")
    lst.add_argument("--all", action="store_true", help="include done tasks")
    lst.set_defaults(func=cmd_list)
    done = sub.add_parser("done", help="mark a task done")
    done.add_argument("id", type=int)
    done.set_defaults(func=cmd_done)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
