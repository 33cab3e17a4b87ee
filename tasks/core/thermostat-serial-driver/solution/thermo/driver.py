"""TH-20 thermostat driver over a serial port."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

# T<sign><3 digits>.<1 digit>H<4 digits>\r\n  (manual section 4.2)
_FRAME = re.compile(r"^T([+-]\d{3}\.\d)H(\d{4})\r\n$")


@dataclass(frozen=True)
class Reading:
    temperature_c: float
    humidity_pct: float


class SerialPort:
    """Minimal blocking serial I/O on a tty device (configured with stty by the service)."""

    def __init__(self, device: str = "/dev/ttyUSB0") -> None:
        self.fd = os.open(device, os.O_RDWR | os.O_NOCTTY)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def readline(self) -> bytes:
        out = b""
        while not out.endswith(b"\n"):
            out += os.read(self.fd, 1)
        return out


def parse_frame(frame: str) -> Reading:
    """Decode one reply frame; raises ValueError on anything malformed."""
    m = _FRAME.match(frame)
    if not m:
        raise ValueError(f"malformed TH-20 frame: {frame!r}")
    temperature, humidity = m.groups()
    return Reading(float(temperature), int(humidity) / 10)


def read(port: SerialPort) -> Reading:
    port.write(b"R\r\n")
    return parse_frame(port.readline().decode("ascii"))
