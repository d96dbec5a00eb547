"""backend.core stays framework-free: importing it loads no web, greenthread or I/O framework
(pydantic, a validation library, is allowed: the input models live in the core)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_socketio", "socketio", "engineio", "gevent", "eventlet", "dotenv",
             "requests", "werkzeug", "prometheus_client", "pydantic_settings", "asyncio")


def test_core_imports_no_framework():
    code = (
        "import sys, json\n"
        "import backend.core.engine, backend.core.views, backend.core.commands\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
    assert "numpy" in loaded  # the probe really imported the core
    assert "pydantic" in loaded and "pydantic_settings" not in loaded


def test_core_sources_do_not_touch_environment_or_files():
    for path in (ROOT / "backend" / "core").glob("*.py"):
        text = path.read_text()
        for needle in ("os.environ", "open(", "import socket", "getenv"):
            assert needle not in text, f"{path.name} uses {needle}"
