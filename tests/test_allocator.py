"""backend/allocator.py: glibc accepts the settings; the switch turns them off."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from backend import allocator


def test_disabled_by_the_environment_changes_nothing():
    assert allocator.keep_heap({"MALLOC_TUNING": "0"}) is False
    assert allocator.keep_heap({"MALLOC_TUNING": " Off "}) is False


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_accepts_every_setting_in_a_fresh_process():
    """mallopt returns 1 for each parameter (0 would mean glibc rejected the value)."""
    code = "from backend.allocator import keep_heap; print(keep_heap({}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "True"
