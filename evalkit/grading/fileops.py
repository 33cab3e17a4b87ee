"""What a shell command (or a short Python program) does to files: created, appended, edited,
deleted, restored, read.

Imported transcripts of bash-only agents (mini-swe-agent, SWE-agent, Codex CLI) change files
with shell commands, not editor tools, so deciding whether a test file was the agent's own or a
check that existed before (``provenance``) needs to read those commands: ``cat <<'EOF' > f``,
``echo … > f``, ``printf > f``, ``tee``, ``cp``/``mv`` into place, ``touch``, ``python -c
"open('f', 'w')…"``, ``sed -i``, ``rm``, ``git checkout -- f``. Pure text processing, no shell
is run. What cannot be read (a program writing to a computed path) is an ``opaque`` operation.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["FileOp", "python_ops", "shell_ops"]

OpKind = Literal["write", "append", "touch", "modify", "delete", "restore", "view", "opaque"]


@dataclass(frozen=True)
class FileOp:
    """One effect of a command on one path.

    ``write`` replaces the whole file (creating it when absent), ``append`` adds to its end,
    ``touch`` creates it only when absent, ``modify`` edits it in place (``content`` holds the
    sed/perl expression or the patch text when known), ``delete`` removes it (``path`` may be a
    glob or a directory), ``restore`` puts it back as committed (``path`` "" = every file),
    ``view`` reads it (so it existed), ``opaque`` writes somewhere the text does not say
    (``source`` then holds the expression of the target, when there is one, and ``content``
    the program).
    """

    kind: OpKind
    path: str = ""
    content: str | None = None  # text written/appended when the command shows it
    how: str = ""  # the form that did it: "heredoc", "echo", "tee", "cp", "python", "sed -i" …
    source: str | None = None  # cp/mv: where the content came from


# ------------------------------------------------------------------------- tokenising

_HEREDOC = re.compile(r"(?<!<)<<(-?)[ \t]*(['\"]?)([A-Za-z_][\w.-]*)\2")
_SEPARATORS = frozenset(";&|\n")
_REDIRECT_OUT = {">": "write", ">|": "write", ">>": "append", "&>": "write", "&>>": "append"}
_IGNORED_TARGETS = ("/dev/", "&")
_WRAPPERS = {"sudo", "timeout", "env", "nice", "time", "exec", "command", "stdbuf", "nohup",
             "xargs"}
_PY = re.compile(r"^(?:.*/)?python(?:[23](?:\.\d+)?)?$")
_VIEWERS = {"cat", "head", "tail", "less", "more", "nl", "wc", "grep", "egrep", "fgrep", "rg",
            "ls", "stat", "file", "diff", "awk", "cut", "sort", "uniq", "md5sum", "sha1sum",
            "pytest", "py.test", "bat", "od", "xxd", "strings"}


def _heredocs(command: str) -> tuple[str, list[str]]:
    """The command with each heredoc body cut out (its operator becomes ``<< __HEREDOC_k__``),
    and the bodies in order. An operator whose delimiter never comes is left as it was (it was
    a ``<<`` inside quoted code, not a heredoc)."""
    if "<<" not in command:
        return command, []
    lines = command.split("\n")
    out: list[str] = []
    bodies: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        found = [m for m in _HEREDOC.finditer(line) if not line[m.end():m.end() + 1] == "<"]
        if not found:
            out.append(line)
            continue
        replaced = line
        j = i
        ok: list[tuple[re.Match[str], str]] = []
        for m in found:
            dash, word = m.group(1), m.group(3)
            body: list[str] = []
            start = j
            while j < len(lines):
                cand = lines[j].lstrip("\t") if dash else lines[j]
                j += 1
                if cand.rstrip() == word:
                    ok.append((m, "\n".join(body)))
                    break
                body.append(lines[j - 1])
            else:
                j = start  # no terminator: not a heredoc
                break
        if not ok:
            out.append(line)
            continue
        base = len(bodies)
        for idx in range(len(ok) - 1, -1, -1):
            m = ok[idx][0]
            replaced = replaced[:m.start()] + f"<< __HEREDOC_{base + idx}__" + replaced[m.end():]
        bodies.extend(b for _, b in ok)
        out.append(replaced)
        i = j
    return "\n".join(out), bodies


#: Unquoted text tokenises as shlex (below) would: runs of punctuation, or runs of the rest.
_PLAIN_TOKEN = re.compile(r"[();<>|&\n]+|[^\s();<>|&]+")


def _tokens(command: str) -> list[str]:
    text = command.replace("\\\n", " ")
    if not any(ch in text for ch in "'\"\\#"):  # nothing shlex treats specially: ~30x faster
        return _PLAIN_TOKEN.findall(text)
    try:
        lex = shlex.shlex(text, posix=True, punctuation_chars="();<>|&\n")
        lex.whitespace = " \t\r"
        lex.whitespace_split = True
        return list(lex)
    except ValueError:  # unbalanced quotes: fall back to words
        return re.findall(r"[;&|]+|[<>]+|\n|[^\s;&|<>]+", text)


def _is_separator(tok: str) -> bool:
    return bool(tok) and all(ch in _SEPARATORS for ch in tok)


def _pipelines(tokens: list[str]) -> list[list[list[str]]]:
    """Tokens → pipelines (lists of simple commands)."""
    pipelines: list[list[list[str]]] = [[[]]]
    for tok in tokens:
        if _is_separator(tok):
            if tok.strip("\n") in ("|", "|&"):
                pipelines[-1].append([])
            else:
                pipelines.append([[]])
        elif tok in ("(", ")", "{", "}", "$(", "`"):
            continue
        else:
            pipelines[-1][-1].append(tok)
    return [[c for c in p if c] for p in pipelines if any(p)]


# ------------------------------------------------------------------------- shell commands

@dataclass
class _Simple:
    argv: list[str]
    stdin: str | None  # heredoc / here-string text
    stdin_file: str | None
    outputs: list[tuple[str, str]]  # (kind "write"/"append", target)


def _parse_simple(tokens: list[str], bodies: list[str]) -> _Simple:
    argv: list[str] = []
    stdin: str | None = None
    stdin_file: str | None = None
    outputs: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _REDIRECT_OUT or tok == ">&":
            if argv and argv[-1].isdigit() and len(argv[-1]) == 1:
                argv.pop()  # the fd of "2>"
            if tok == ">&" and (nxt.isdigit() or nxt == "-"):
                i += 2
                continue
            if nxt and not nxt.startswith(_IGNORED_TARGETS):
                outputs.append((_REDIRECT_OUT.get(tok, "write"), nxt))
            i += 2
            continue
        if tok in ("<", "<&"):
            if argv and argv[-1].isdigit() and len(argv[-1]) == 1:
                argv.pop()
            stdin_file = nxt or None
            i += 2
            continue
        if tok in ("<<", "<<-"):
            m = re.fullmatch(r"__HEREDOC_(\d+)__", nxt)
            stdin = bodies[int(m.group(1))] if m and int(m.group(1)) < len(bodies) else None
            i += 2
            continue
        if tok == "<<<":
            stdin = nxt
            i += 2
            continue
        argv.append(tok)
        i += 1
    return _Simple(argv, stdin, stdin_file, outputs)


def _strip(argv: list[str]) -> list[str]:
    """Drop variable assignments and wrappers (``sudo``, ``timeout 30``, ``env X=1``)."""
    while argv:
        if re.match(r"^[A-Za-z_]\w*=", argv[0]):
            argv = argv[1:]
        elif argv[0] in _WRAPPERS:
            head = argv[0]
            argv = argv[1:]
            while argv and (argv[0].startswith("-") or re.match(r"^[A-Za-z_]\w*=", argv[0])
                            or (head == "timeout" and re.match(r"^\d+(?:\.\d+)?[smhd]?$",
                                                               argv[0]))):
                argv = argv[1:]
        else:
            break
    return argv


def _args(argv: list[str], value_opts: tuple[str, ...] = ()) -> list[str]:
    """Positional arguments (options and the values of ``value_opts`` dropped)."""
    out: list[str] = []
    skip = False
    ended = False
    for a in argv:
        if skip:
            skip = False
            continue
        if not ended and a == "--":
            ended = True
            continue
        if not ended and a.startswith("-") and a != "-":
            if a in value_opts:
                skip = True
            continue
        out.append(a)
    return out


def _into(dst: str, src: str, many: bool) -> str:
    """cp/mv target: ``dst`` itself, or ``dst/<name of src>`` when dst is a directory."""
    base = posixpath.basename(dst.rstrip("/"))
    if many or dst.endswith("/") or dst in (".", "..") or (
            "." not in base and "." in posixpath.basename(src)):
        return posixpath.join(dst.rstrip("/") or ".", posixpath.basename(src.rstrip("/")))
    return dst


def _produced(argv: list[str], stdin: str | None) -> tuple[str | None, str]:
    """What a command writes to stdout when the text shows it, and the form's name."""
    if not argv:
        return stdin, "heredoc" if stdin is not None else ""
    head = posixpath.basename(argv[0])
    rest = argv[1:]
    if head == "cat":
        files = _args(rest)
        if not files or files == ["-"]:
            return stdin, "heredoc" if stdin is not None else "cat"
        return None, "cat"
    if head == "echo":
        words = rest
        while words and re.fullmatch(r"-[neE]+", words[0]):
            words = words[1:]
        return " ".join(words) + "\n", "echo"
    if head == "printf":
        words = [w for w in rest if w != "--"]
        if words:
            fmt = words[0].replace("\\n", "\n").replace("\\t", "\t")
            return fmt if len(words) == 1 else fmt + "".join(words[1:]), "printf"
        return "", "printf"
    return None, head


def _python_code(argv: list[str], stdin: str | None,
                 scripts: Mapping[str, str]) -> str | None:
    """The program a python command runs, when the transcript shows it."""
    rest = argv[1:]
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "-c" and i + 1 < len(rest):
            return rest[i + 1]
        if a == "-m":
            return None
        if a in ("-W", "-X"):
            i += 2
            continue
        if a.startswith("-") and a != "-":
            i += 1
            continue
        if a == "-":
            return stdin
        return _lookup(scripts, a)
    return stdin


def _lookup(scripts: Mapping[str, str], path: str) -> str | None:
    if path in scripts:
        return scripts[path]
    norm = path.lstrip("./")
    for k, v in scripts.items():
        k2 = k.lstrip("./")
        if k2 == norm or k2.endswith("/" + norm) or norm.endswith("/" + k2):
            return v
    return None


def shell_ops(command: str, scripts: Mapping[str, str] | None = None) -> list[FileOp]:
    """The file operations of one shell command line, in order.

    ``scripts`` maps paths to the text of programs the agent wrote earlier, so that running
    ``python make_tests.py`` shows what that program writes.
    """
    scripts = scripts or {}
    text, bodies = _heredocs(command)
    ops: list[FileOp] = []
    cwd = ""  # a `cd dir &&` earlier on the line: relative paths after it are under dir
    for pipeline in _pipelines(_tokens(text)):
        piped: str | None = None  # stdout of the previous command in the pipe, when known
        piped_how = ""
        start = len(ops)
        for k, raw in enumerate(pipeline):
            simple = _parse_simple(raw, bodies)
            argv = _strip(simple.argv)
            if argv and argv[0] in ("cd", "pushd") and len(pipeline) == 1:
                target = argv[1] if len(argv) > 1 else ""
                cwd = "" if not target or target == "-" or target.startswith("~") else (
                    target if target.startswith("/") else posixpath.join(cwd, target))
                cwd = posixpath.normpath(cwd) if cwd else ""
                continue
            stdin = simple.stdin if simple.stdin is not None else (piped if k else None)
            if simple.stdin_file:
                ops.append(FileOp("view", simple.stdin_file, how="<"))
            out, how = _produced(argv, stdin)
            if simple.stdin is None and k and piped is not None and how in ("cat", "heredoc"):
                how = piped_how or how
            for kind, target in simple.outputs:
                ops.append(FileOp("write" if kind == "write" else "append", target,  # type: ignore[arg-type]
                                  content=out, how=how or "redirect"))
                out = None if kind == "write" else out
            ops.extend(_command_ops(argv, stdin, simple.stdin_file, scripts))
            piped, piped_how = (out, how) if not simple.outputs else (None, "")
        if cwd and cwd != ".":
            ops[start:] = [_under(cwd, op) for op in ops[start:]]
    return ops


def _under(cwd: str, op: FileOp) -> FileOp:
    """``op`` with its relative paths taken from ``cwd``."""
    def join(p: str | None) -> str | None:
        if not p or p.startswith("/"):
            return p
        return posixpath.normpath(posixpath.join(cwd, p))

    return FileOp(op.kind, join(op.path) or op.path, op.content, op.how, join(op.source))


def _command_ops(argv: list[str], stdin: str | None, stdin_file: str | None,
                 scripts: Mapping[str, str]) -> list[FileOp]:
    if not argv:
        return []
    head = posixpath.basename(argv[0])
    rest = argv[1:]
    if head == "tee":
        append = any(a in ("-a", "--append") for a in rest)
        return [FileOp("append" if append else "write", p, content=stdin, how="tee")
                for p in _args(rest) if not p.startswith("/dev/")]
    if head == "touch":
        return [FileOp("touch", p, how="touch") for p in _args(rest, ("-d", "-t", "-r"))]
    if head in ("cp", "mv", "install"):
        args = _args(rest, ("-t", "--target-directory", "-m", "-o", "-g", "-S"))
        target_dir = next((rest[i + 1] for i, a in enumerate(rest[:-1])
                           if a in ("-t", "--target-directory")), None)
        if target_dir:
            srcs, dst, many = args, target_dir, True
        elif len(args) >= 2:
            srcs, dst, many = args[:-1], args[-1], len(args) > 2
        else:
            return []
        ops: list[FileOp] = []
        for src in srcs:
            ops.append(FileOp("write", _into(dst, src, many), how=head, source=src))
            if head == "mv":
                ops.append(FileOp("delete", src, how="mv"))
        return ops
    if head in ("rm", "unlink", "rmdir", "shred"):
        return [FileOp("delete", p, how="rm") for p in _args(rest)]
    if head == "git" and rest:
        if rest[0] == "apply":
            files = _args(rest[1:], ("-p", "--directory", "--exclude", "--include"))
            text = stdin if not files else _lookup(scripts, files[0])
            return _patch_ops(text, None, [], scripts) if text else [
                FileOp("opaque", "", how="git apply", source=" ".join(files))]
        return _git_ops(rest)
    if head in ("sed", "perl", "gsed"):
        return _inplace_ops(head, rest)
    if head in ("patch",):
        given = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a in ("-i", "--input")),
                     None)
        return _patch_ops(stdin, stdin_file or given,
                          _args(rest, ("-p", "-i", "--input", "-d", "-o", "-r", "-F")), scripts)
    if head in ("truncate",):
        return [FileOp("write", p, content=None, how="truncate")
                for p in _args(rest, ("-s", "--size", "-r"))]
    if head == "dd":
        return [FileOp("write", a[3:], how="dd") for a in rest if a.startswith("of=")]
    if head in ("ln",):
        args = _args(rest, ("-t",))
        return [FileOp("write", args[-1], how="ln")] if len(args) >= 2 else []
    if _PY.match(argv[0]) or head in ("python", "python3", "py"):
        code = _python_code(argv, stdin, scripts)
        return python_ops(code) if code else []
    if head in ("bash", "sh", "zsh") and len(rest) >= 2 and rest[0] == "-c":
        return shell_ops(rest[1], scripts)
    if head in _VIEWERS or head == "sed":
        value_opts = ("-e", "-f", "-m", "-A", "-B", "-C", "-n", "--include", "--exclude") \
            if head in ("grep", "egrep", "fgrep", "rg") else ("-n", "-c") \
            if head in ("head", "tail") else ()
        args = _args(rest, value_opts)
        if head in ("grep", "egrep", "fgrep", "rg", "awk") and args:
            args = args[1:]  # the pattern / program
        return [FileOp("view", p, how=head) for p in args if _pathish(p)]
    return []


def _pathish(arg: str) -> bool:
    return bool(re.search(r"\.[A-Za-z0-9]{1,6}$|/", arg)) and not re.search(r"[*?$]", arg)


def _git_ops(rest: list[str]) -> list[FileOp]:
    sub = rest[0]
    args = rest[1:]
    if sub == "rm":
        return [FileOp("delete", p, how="git rm") for p in _args(args)]
    if sub == "mv":
        paths = _args(args)
        if len(paths) == 2:
            return [FileOp("delete", paths[0], how="git mv"),
                    FileOp("write", _into(paths[1], paths[0], False), how="git mv",
                           source=paths[0])]
        return []
    if sub in ("checkout", "restore"):
        if "--" in args:
            paths = args[args.index("--") + 1:]
        else:
            paths = [a for a in _args(args, ("-s", "--source")) if _pathish(a) or a == "."]
        return [FileOp("restore", "" if p in (".", "./") else p, how=f"git {sub}")
                for p in paths]
    if sub == "stash" and (not args or args[0] in ("push", "save", "-u")):
        return [FileOp("restore", "", how="git stash")]
    if sub == "reset" and "--hard" in args:
        return [FileOp("restore", "", how="git reset --hard")]
    if sub in ("diff", "show", "log", "blame"):
        tail = args[args.index("--") + 1:] if "--" in args else [a for a in _args(args)
                                                                 if _pathish(a) and ":" not in a]
        return [FileOp("view", p, how=f"git {sub}") for p in tail]
    return []


def _inplace_ops(head: str, rest: list[str]) -> list[FileOp]:
    """``sed -i``/``perl -pi``: modify each file; ``sed -n``/plain sed only read."""
    inplace = any(a == "--in-place" or a.startswith("--in-place=") or
                  (re.match(r"^-[a-zA-Z]*i", a) and not a.startswith("--")) for a in rest)
    if head == "perl":
        inplace = any(re.match(r"^-[a-zA-Z]*i", a) for a in rest)
    exprs: list[str] = []
    files: list[str] = []
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in ("-e", "--expression") and i + 1 < len(rest):
            exprs.append(rest[i + 1])
            i += 2
            continue
        if a == "-f" and i + 1 < len(rest):
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        files.append(a)
        i += 1
    if not exprs and files:
        exprs, files = [files[0]], files[1:]
    if not inplace:
        return [FileOp("view", p, how=head) for p in files if _pathish(p)]
    expr = "\n".join(exprs)
    return [FileOp("modify", p, content=expr, how=f"{head} -i") for p in files]


_PATCH_TARGET = re.compile(r"^\+\+\+ (?:b/)?(\S+)", re.MULTILINE)


def _patch_ops(stdin: str | None, patch_file: str | None, args: list[str],
               scripts: Mapping[str, str]) -> list[FileOp]:
    """``patch [file [patchfile]]``, ``patch -p1 < x.patch``, ``git apply x.patch``: the files
    patched, with the patch text when the transcript shows it."""
    text = stdin
    if text is None and patch_file:
        text = _lookup(scripts, patch_file)
    if text is None and len(args) >= 2:
        text = _lookup(scripts, args[1])
    if args:  # patch FILE [PATCHFILE]: FILE is the one changed
        return [FileOp("modify", args[0], content=text, how="patch")]
    if text:
        return [FileOp("modify", p, content=text, how="patch")
                for p in dict.fromkeys(_PATCH_TARGET.findall(text)) if p != "/dev/null"]
    return [FileOp("opaque", "", how="patch", source=patch_file or "")]


# ------------------------------------------------------------------------- python programs

def _q(n: int) -> str:
    """A quoted literal: group n is the quote, n+1 the text."""
    return "(?:[rRbBuU]{0,2})(['\"])([^'\"\\n]+)\\" + str(n)


_Q = _q(1)
_OPEN_LIT = re.compile(r"\bopen\(\s*" + _Q + r"\s*(?:,\s*(?:mode\s*=\s*)?(['\"])([rwxab+tU]+)\3)?")
_OPEN_ANY = re.compile(r"\bopen\(([^\n]{0,160}?),\s*(?:mode\s*=\s*)?(['\"])([rwxab+tU]+)\2\s*[,)]")
_PATH_WRITE = re.compile(r"\bPath\(\s*" + _Q + r"\s*\)\.(write_text|write_bytes|touch|unlink)\(")
_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*" + _q(2) + r"\s*$", re.MULTILINE)
_ANY_WRITE = re.compile(r"([\w.]*(?:\([^()\n]*\))?)\.(?:write_text|write_bytes)\(")
_REMOVE = re.compile(r"\b(?:os\.(?:remove|unlink)|shutil\.rmtree)\(\s*" + _Q)
_REMOVE_ANY = re.compile(r"\b(?:os\.(?:remove|unlink)|shutil\.rmtree)\(([^\n]{0,120}?)\)")
_COPY = re.compile(r"\bshutil\.(copy|copy2|copyfile|move)\(\s*" + _q(2) + r"\s*,\s*" + _q(4))
_RENAME = re.compile(r"\bos\.(?:rename|replace)\(\s*" + _Q + r"\s*,\s*" + _q(3))


def python_ops(code: str) -> list[FileOp]:
    """Files a Python program writes or deletes: literal paths are named, computed ones make an
    ``opaque`` operation (the transcript cannot tell which file it wrote)."""
    if not code or not any(w in code for w in ("open(", "write_", "remove(", "unlink",
                                               "rmtree(", "shutil.", "rename(", "replace(",
                                               "touch(")):
        return []
    ops: list[FileOp] = []
    literal_opens: set[int] = set()
    for m in _OPEN_LIT.finditer(code):
        literal_opens.add(m.start())
        mode = m.group(4) or "r"
        path = m.group(2)
        if "w" in mode or "x" in mode:
            ops.append(FileOp("write", path, how="python"))
        elif "a" in mode:
            ops.append(FileOp("append", path, how="python"))
        elif "+" in mode:
            ops.append(FileOp("modify", path, how="python"))
        else:
            ops.append(FileOp("view", path, how="python"))
    names = {m.group(1): m.group(3) for m in _ASSIGN.finditer(code)}
    for m in _OPEN_ANY.finditer(code):
        if m.start() in literal_opens:
            continue
        target, mode = m.group(1).strip(), m.group(3)
        if target in names:  # file_path = 'tests/x.py' … open(file_path, 'w')
            kind = "write" if re.search(r"[wx]", mode) else "append" if "a" in mode else \
                "modify" if "+" in mode else "view"
            ops.append(FileOp(kind, names[target], how="python"))  # type: ignore[arg-type]
        elif re.search(r"[wxa+]", mode):
            ops.append(FileOp("opaque", "", content=code, how="python open", source=target))
    named_writes = 0
    for m in _PATH_WRITE.finditer(code):
        verb = m.group(3)
        kind = {"write_text": "write", "write_bytes": "write", "touch": "touch",
                "unlink": "delete"}[verb]
        ops.append(FileOp(kind, m.group(2), how="python"))  # type: ignore[arg-type]
        named_writes += verb.startswith("write")
    any_writes = _ANY_WRITE.findall(code)
    if len(any_writes) > named_writes:
        ops.append(FileOp("opaque", "", content=code, how="python write_text",
                          source=" ".join(any_writes)))
    removed = 0
    for m in _REMOVE.finditer(code):
        ops.append(FileOp("delete", m.group(2), how="python"))
        removed += 1
    any_removes = _REMOVE_ANY.findall(code)
    if len(any_removes) > removed:
        ops.append(FileOp("opaque", "", content=code, how="python remove",
                          source=" ".join(any_removes)))
    for m in _COPY.finditer(code):
        ops.append(FileOp("write", m.group(5), how="python", source=m.group(3)))
        if m.group(1) == "move":
            ops.append(FileOp("delete", m.group(3), how="python"))
    for m in _RENAME.finditer(code):
        ops.append(FileOp("delete", m.group(2), how="python"))
        ops.append(FileOp("write", m.group(4), how="python", source=m.group(2)))
    return ops


# ------------------------------------------------------------------------- sed programs

SedKind = Literal["sub", "add", "change", "delete", "read", "other"]


@dataclass(frozen=True)
class SedEdit:
    """One command of a ``sed -i`` program, as far as it shows what it removes and adds.

    ``sub``: ``old`` is the pattern, ``new`` the replacement; ``add`` (``a``/``i``): ``new`` is
    the text inserted; ``change`` (``c``): ``new`` replaces the addressed lines; ``delete``
    (``d``): removes the addressed lines; ``read`` (``r file``): inserts ``new`` = that file's
    path. ``address`` is the line address as written (``12``, ``/re/``, ``/a/,/b/``)."""

    kind: SedKind
    address: str = ""
    old: str = ""
    new: str = ""


_SED_ADDR = re.compile(r"\s*((?:\d+|\$|/(?:\\.|[^/\\])*/|\\(.)(?:\\.|(?!\2).)*\2)"
                       r"(?:\s*,\s*(?:\d+|\$|/(?:\\.|[^/\\])*/|\+\d+))?)?\s*(!?)\s*")


def sed_edits(program: str) -> list[SedEdit]:
    """The commands of a sed program (GNU syntax, the common commands). Unknown commands give
    ``other``; a program that cannot be read gives ``[SedEdit("other")]``."""
    edits: list[SedEdit] = []
    i, n = 0, len(program)
    while i < n:
        while i < n and program[i] in " \t\n;":
            i += 1
        if i >= n:
            break
        m = _SED_ADDR.match(program, i)
        address = (m.group(1) or "") if m else ""
        i = m.end() if m else i
        if i >= n:
            break
        cmd = program[i]
        i += 1
        if cmd in "aic":
            # `a\` newline text, `a\text`, or GNU one-liner `a text`; lines ending in \ go on
            while i < n and program[i] in " \t":
                i += 1
            if program.startswith("\\\n", i):
                i += 2
            elif program.startswith("\\", i):
                i += 1
            text: list[str] = []
            while True:
                end = program.find("\n", i)
                line = program[i:] if end < 0 else program[i:end]
                i = n if end < 0 else end + 1
                if line.endswith("\\") and not line.endswith("\\\\"):
                    text.append(line[:-1])
                    if i >= n:
                        break
                    continue
                text.append(line)
                break
            body = "\n".join(text)
            body = body.replace("\\n", "\n").replace("\\t", "\t")
            kind: SedKind = "change" if cmd == "c" else "add"
            edits.append(SedEdit(kind, address, "", body))
            continue
        if cmd == "s" and i < n:
            delim = program[i]
            parts: list[str] = []
            j = i + 1
            buf: list[str] = []
            while j < n and len(parts) < 2:
                ch = program[j]
                if ch == "\\" and j + 1 < n:
                    nxt = program[j + 1]
                    buf.append(nxt if nxt == delim else ch + nxt)
                    j += 2
                    continue
                if ch == delim:
                    parts.append("".join(buf))
                    buf = []
                    j += 1
                    continue
                buf.append(ch)
                j += 1
            if len(parts) < 2:
                return [SedEdit("other", address)]
            while j < n and program[j] not in ";\n}":
                j += 1  # flags
            i = j
            edits.append(SedEdit("sub", address, _unregex(parts[0]),
                                 parts[1].replace("\\n", "\n").replace("\\t", "\t")))
            continue
        if cmd == "d":
            edits.append(SedEdit("delete", address))
            continue
        if cmd in "rR":
            end = program.find("\n", i)
            edits.append(SedEdit("read", address, "", (program[i:] if end < 0
                                                        else program[i:end]).strip()))
            i = n if end < 0 else end + 1
            continue
        if cmd in "{}pPnNhHgGxlq=":
            continue
        return edits + [SedEdit("other", address)]
    return edits


def _unregex(pattern: str) -> str:
    """A sed pattern as the text it matches, roughly (escapes and anchors dropped)."""
    text = re.sub(r"\\([.*\[\]()+?{}|^$/])", r"\1", pattern)
    text = text.replace(".*", " ").replace("\\s", " ")
    return text.strip("^$")
