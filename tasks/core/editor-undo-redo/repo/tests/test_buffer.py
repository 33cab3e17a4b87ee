from editor.buffer import Buffer


def test_undo_and_redo_roundtrip():
    b = Buffer()
    b.append("hello")
    b.append(" world")
    assert b.undo() is True
    assert b.text == "hello"
    assert b.redo() is True
    assert b.text == "hello world"


def test_new_edit_clears_redo_history():
    b = Buffer()
    b.append("hello")
    b.append(" world")
    b.undo()
    b.append("!")
    assert b.redo() is False
    assert b.text == "hello!"


def test_undo_on_empty_history_is_a_no_op():
    b = Buffer("draft")
    assert b.undo() is False
    assert b.text == "draft"


def test_redo_without_undo_is_a_no_op():
    b = Buffer()
    b.append("x")
    assert b.redo() is False
    assert b.text == "x"


def test_delete_is_undoable():
    b = Buffer()
    b.append("hello world")
    b.delete(5, 11)
    assert b.text == "hello"
    b.undo()
    assert b.text == "hello world"


def test_multiple_undos_then_redos():
    b = Buffer()
    for word in ["a", "b", "c"]:
        b.append(word)
    b.undo()
    b.undo()
    assert b.text == "a"
    b.redo()
    b.redo()
    assert b.text == "abc"
    assert b.redo() is False
