import shutil
import subprocess
from pathlib import Path

from media import probe

DATA = Path(__file__).parent / "data"


def test_ffprobe_reads_duration():
    assert probe.duration_seconds(str(DATA / "one_second.wav")) == 1.0


def test_label_short_clip():
    assert probe.duration_label(str(DATA / "one_second.wav")) == "0:01"


def test_label_with_padding(monkeypatch):
    monkeypatch.setattr(probe, "duration_seconds", lambda path: 65.0)
    assert probe.duration_label("clip.mp4") == "1:05"


def test_label_with_hours(monkeypatch):
    monkeypatch.setattr(probe, "duration_seconds", lambda path: 3723.4)
    assert probe.duration_label("movie.mp4") == "1:02:03"


def test_ffprobe_is_the_real_binary():
    exe = shutil.which("ffprobe")
    assert exe is not None, "ffprobe (FFmpeg) must be installed"
    version = subprocess.run([exe, "-version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("ffprobe version")
