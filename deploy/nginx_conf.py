"""Print deploy/nginx.conf for local upstreams: `python deploy/nginx_conf.py --listen 8080
--upstream 127.0.0.1:5001 --upstream 127.0.0.1:5002` (scripts/scaleout.sh and the tests)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")


def _between(text: str, marker: str, lines: list) -> str:
    """Replace what lies between `# <marker>:begin` and `# <marker>:end`, keeping the indent."""
    pattern = re.compile(rf"(?P<indent>[ ]*)# {marker}:begin\n.*?# {marker}:end\n", re.S)
    m = pattern.search(text)
    if m is None:
        raise ValueError(f"{TEMPLATE}: no '# {marker}:begin' / '# {marker}:end' markers")
    body = "".join(f"{m['indent']}{line}\n" for line in lines)
    return text[:m.start()] + body + text[m.end():]


def render(listen: str, upstreams: list) -> str:
    """The conf listening on `listen` (port or host:port) with these upstream host:port."""
    text = TEMPLATE.read_text()
    text = _between(text, "upstreams", [f"server {u};" for u in upstreams])
    return _between(text, "listen", [f"listen {listen};"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, help="port or host:port nginx listens on")
    parser.add_argument("--upstream", action="append", required=True, help="a web process host:port")
    args = parser.parse_args()
    print(render(args.listen, args.upstream), end="")


if __name__ == "__main__":
    main()
