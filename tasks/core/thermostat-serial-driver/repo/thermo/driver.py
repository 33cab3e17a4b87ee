"""TH-20 thermostat driver over a serial port."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_FRAME = re.compile(r"^T\+?(\d{3}\.\d)H(\d{4})\r\n$")


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
    m = _FRAME.match(frame)
    if not m:
        return Reading(0.0, float(frame[-6:-2] or 0))
    temperature, humidity = m.groups()
    return Reading(float(temperature), float(humidity))


def read(port: SerialPort) -> Reading:
    port.write(b"R\r\n")
    return parse_frame(port.readline().decode("ascii"))
