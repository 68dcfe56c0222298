"""`make lab` serves JupyterLab on the notebooks folder."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from project import NOTEBOOKS, ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(),
                    reason="make lab needs the .venv that `make test` creates; run the suite through `make test`")
def test_make_lab_serves_the_notebooks(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    server = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=ROOT,
                              stdout=open(tmp_path / "lab.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        listing, deadline = None, time.monotonic() + 90  # a bound on waiting for start-up
        while listing is None and time.monotonic() < deadline and server.poll() is None:
            try:
                listing = get_json(f"http://127.0.0.1:{port}/api/contents?token={token}")
            except OSError:
                time.sleep(0.5)
        assert listing is not None, (tmp_path / "lab.log").read_text()[-2000:]
        served = {item["name"] for item in listing["content"]}
        assert {path.name for path in NOTEBOOKS} <= served
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5).read().decode()
        assert "JupyterLab" in page
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
