"""The explorer server that bench/explorer_bench.py measures, in a process of its own.

    .venv/bin/python bench/explorer_server.py --study DIR --port N

It runs the real uvicorn app as `journeylab explore` configures it, and takes one
line of commands at a time on stdin (see `_serve`). `Child` starts it from the
bench and talks to it.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import uvicorn

from journeylab.coding.study import Study, load_study
from journeylab.themes.explorer import HTTP, LOG_LEVEL, LOOP, create_app


def _result_cache(app: object, size: int | None) -> None:
    """Turn the explorer's search result cache off (0) or back on (None = its default)."""
    searches = getattr(app.state.explorer, "searches", None)  # type: ignore[attr-defined]
    if searches is not None:
        searches.size = 128 if size is None else size


def _serve(study_dir: str, port: int) -> None:
    """The child: the explorer on *port*, and one line of commands at a time on stdin.

    `cache N` sets the search result cache's size (`cache` alone: its default),
    `wait` waits for a background findings build, `quit` stops; each answers "ok"
    (anything else is answered, but not with "ok").
    """
    study = load_study(Path(study_dir))
    app = create_app(study, include_suggestions=0.3)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level=LOG_LEVEL, http=HTTP, loop=LOOP
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for line in sys.stdin:
        command, *rest = line.split() or [""]
        if command == "cache":
            _result_cache(app, int(rest[0]) if rest else None)
        elif command == "wait":
            app.state.explorer.cache.wait(1800)  # type: ignore[attr-defined]
        elif command == "quit":
            break
        else:
            print(f"unknown command {command!r}", flush=True)
            continue
        print("ok", flush=True)
    server.should_exit = True
    thread.join(timeout=10)


class Child:
    """The explorer server in its own process (this file run as a script)."""

    def __init__(self, study: Study, port: int) -> None:
        command = [sys.executable, __file__, "--study", str(study.root)]
        self.proc = subprocess.Popen(
            [*command, "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 300
        while True:  # until uvicorn accepts connections (the app is built by then)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the explorer server exited ({self.proc.returncode})")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def command(self, line: str) -> None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the explorer server did not answer {line!r}")

    def stop(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.command("quit")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--study", required=True, help="an imported, coded study")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _serve(args.study, args.port)


if __name__ == "__main__":
    main()
