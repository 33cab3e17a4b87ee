"""Text buffer with undo/redo, used by the notes editor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    position: int
    removed: str
    inserted: str


class Buffer:
    def __init__(self, text: str = "") -> None:
        self.text = text
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []

    def _apply(self, edit: Edit) -> None:
        p = edit.position
        self.text = self.text[:p] + edit.inserted + self.text[p + len(edit.removed) :]

    def _record(self, edit: Edit) -> None:
        """Apply a new user edit; it invalidates anything that could be redone."""
        self._apply(edit)
        self._undo.append(edit)
        self._redo.clear()

    def insert(self, position: int, s: str) -> None:
        self._record(Edit(position, "", s))

    def append(self, s: str) -> None:
        self.insert(len(self.text), s)

    def delete(self, start: int, end: int) -> None:
        self._record(Edit(start, self.text[start:end], ""))

    def undo(self) -> bool:
        if not self._undo:
            return False
        edit = self._undo.pop()
        self._apply(Edit(edit.position, edit.inserted, edit.removed))
        self._redo.append(edit)
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        edit = self._redo.pop()
        self._apply(edit)
        self._undo.append(edit)
        return True
