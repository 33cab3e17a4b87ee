import pytest

from thermo.driver import Reading, parse_frame, read


class FakePort:
    def __init__(self, reply):
        self.reply = reply
        self.sent = b""

    def write(self, data):
        self.sent += data

    def readline(self):
        return self.reply


def test_positive_temperature():
    assert parse_frame("T+021.5H0456\r\n") == Reading(21.5, 45.6)


def test_negative_temperature():
    assert parse_frame("T-012.5H0800\r\n") == Reading(-12.5, 80.0)


def test_read_sends_command():
    port = FakePort(b"T+000.0H1000\r\n")
    assert read(port) == Reading(0.0, 100.0)
    assert port.sent == b"R\r\n"


@pytest.mark.parametrize("bad", ["", "garbage\r\n", "T+021.5\r\n", "T+21.5H0456\r\n"])
def test_malformed_frames_raise(bad):
    with pytest.raises(ValueError):
        parse_frame(bad)
