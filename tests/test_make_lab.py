"""`make lab` serves JupyterLab on the notebooks folder."""

import secrets
import subprocess
import urllib.request

import pytest

from lab import free_port, stop, wait_for_contents
from project import NOTEBOOKS, ROOT


# The set-up `make test` left, and how to ask make for the same one (else `make lab` would reinstall).
SET_UPS = {".installed": [], ".installed-constrained": ["CONSTRAINTS=constraints.txt"]}
MAKE_ARGS = next((args for marker, args in SET_UPS.items() if (ROOT / ".venv" / marker).exists()), None)


@pytest.mark.skipif(MAKE_ARGS is None,
                    reason="make lab needs the .venv that `make test` creates; run the suite through `make test`")
@pytest.mark.slow  # starts JupyterLab
def test_make_lab_serves_the_notebooks(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    server = subprocess.Popen(["make", "--no-print-directory", "lab", *MAKE_ARGS, f"LAB_ARGS={args}"], cwd=ROOT,
                              stdout=open(tmp_path / "lab.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        listing = wait_for_contents(server, port, token)
        assert listing is not None, (tmp_path / "lab.log").read_text()[-2000:]
        served = {item["name"] for item in listing["content"]}
        assert {path.name for path in NOTEBOOKS} <= served
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5).read().decode()
        assert "JupyterLab" in page
    finally:
        stop(server)
