"""Starting and reaching a JupyterLab server from a test."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

START_LIMIT = 90  # seconds: a bound on waiting for start-up, not a speed requirement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_for_contents(server: subprocess.Popen, port: int, token: str):
    """The server's listing of its root folder once it answers; ``None`` if it never does."""
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return get_json(f"http://127.0.0.1:{port}/api/contents?token={token}")
        except OSError:
            time.sleep(0.5)
    return None


def stop(server: subprocess.Popen) -> None:
    """Ends a server started with ``start_new_session=True``, with its kernels."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
