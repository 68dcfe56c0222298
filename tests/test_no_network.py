"""The suite runs with the network switched off at the socket level (``COURSE_NETWORK=off``, set by
the project's conftest.py): in this process, in every Python it starts (notebook kernels included),
and what a learner reads when the network is missing is one clear line."""

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from course_utils import config, data, network, transfer
from project import ROOT

PUBLIC_ADDRESS = ("1.1.1.1", 443)  # a public resolver: reachable wherever there is a network
PUBLIC_NAME = "storage.googleapis.com"  # where Keras downloads its data sets and weights from

pytestmark = pytest.mark.skipif(not network.switched_off(), reason="COURSE_NETWORK is not 'off': the network is allowed")

PROBE = textwrap.dedent("""
    import socket
    answers = []
    try:
        socket.create_connection({address!r}, timeout=30)
        answers.append("connected")
    except OSError as error:
        answers.append(f"connection: {{type(error).__name__}}: {{error}}")
    try:
        socket.getaddrinfo({name!r}, 443)
        answers.append("resolved")
    except OSError as error:
        answers.append(f"lookup: {{error}}")
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname(), timeout=30)
    peer, _ = server.accept()
    client.sendall(b"ping")
    answers.append("loopback: " + peer.recv(4).decode())
    print(" | ".join(answers))
""").format(address=PUBLIC_ADDRESS, name=PUBLIC_NAME)


def assert_refused_with_loopback_working(answer: str):
    connection, lookup, loopback = answer.strip().split(" | ")
    assert connection == ("connection: NetworkRefused: the network is switched off (COURSE_NETWORK=off): "
                          f"connection to {PUBLIC_ADDRESS[0]} port {PUBLIC_ADDRESS[1]} refused")
    assert lookup.startswith("lookup: ") and f"name lookup of {PUBLIC_NAME} refused" in lookup
    assert loopback == "loopback: ping"


def test_this_process_refuses_the_network_and_keeps_loopback(capsys):
    exec(compile(PROBE, "probe", "exec"), {})  # noqa: S102 - the test's own probe, a constant
    assert_refused_with_loopback_working(capsys.readouterr().out)


def test_refusal_answers_at_once_as_an_oserror():
    with pytest.raises(network.NetworkRefused):
        socket.create_connection(PUBLIC_ADDRESS, timeout=600)  # the guard answers before any timeout
    with pytest.raises(ConnectionRefusedError):
        socket.socket().connect_ex(PUBLIC_ADDRESS)
    with pytest.raises(socket.gaierror):
        socket.gethostbyname(PUBLIC_NAME)
    assert config.is_online(timeout=600) is False


@pytest.mark.parametrize("host, local", [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True),
                                         (None, True), (socket.gethostname(), True), ("1.1.1.1", False),
                                         ("10.0.0.1", False), ("example.com", False), (b"localhost", True)])
def test_what_counts_as_this_machine(host, local):
    assert network.is_local_host(host) is local


@pytest.mark.slow
def test_a_python_started_by_the_suite_refuses_from_its_first_line():
    """Without importing the course: the sitecustomize module on PYTHONPATH switched it off."""
    assert os.environ["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT / "tests" / "no_network")
    finished = subprocess.run([sys.executable, "-c", "import sys; assert 'course_utils' not in sys.modules\n" + PROBE],
                              capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert_refused_with_loopback_working(finished.stdout)


@pytest.mark.slow
def test_a_notebook_kernel_refuses_the_network_and_keeps_loopback():
    """A kernel started as nbval and the runner start one: the current environment's, inheriting os.environ."""
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600).execute()
    printed = "".join(output.get("text", "") for output in notebook.cells[0].outputs if output.output_type == "stream")
    assert_refused_with_loopback_working(printed)


# --- what a learner reads when there is no network: one line each ------------------------------

@pytest.mark.parametrize("name", data.DOWNLOADED)
def test_a_data_set_offline_is_one_line(empty_data_dir, monkeypatch, capsys, name):
    """The learner's default mode, the real probe meeting the refused network."""
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    assert data.load_dataset(name).name == "digits"
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(f"{name} is not available: there is no network and no cached copy")


@pytest.mark.parametrize("name", data.DOWNLOADED)
def test_a_network_lost_after_the_probe_is_one_line_after_keras_download_line(
        empty_data_dir, monkeypatch, tmp_path, capsys, name):
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(config, "is_online", lambda *args, **kwargs: True)
    assert data.load_dataset(name).name == "digits"
    lines = capsys.readouterr().out.splitlines()
    ours = [line for line in lines if not line.startswith("Downloading data from ")]  # Keras's, one per mirror tried
    assert len(ours) == 1 and ours[0].startswith(f"{name} is not available: the download failed")
    assert "network is switched off" in ours[0] and len(ours[0]) < 800
    assert len(lines) - len(ours) == len(data.MIRRORS[name])  # the first archive, tried at each mirror


def test_imagenet_weights_offline_are_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert transfer.resnet50_base(input_shape=(32, 32, 3)) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "there is no network and no cached copy" in out


def test_imagenet_weights_with_the_network_lost_after_the_probe_are_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(config, "is_online", lambda *args, **kwargs: True)
    assert transfer.resnet50_base(input_shape=(32, 32, 3)) is None
    ours = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("Downloading data from ")]
    assert len(ours) == 1 and ours[0].startswith("ResNet50 weights could not be loaded")
    assert "network is switched off" in ours[0] and ours[0].endswith("offline backbone instead.")


def test_the_set_up_check_offline_is_one_line_per_data_set(empty_data_dir, monkeypatch):
    """Notebook 00's set-up check (the doctor) about the downloaded data sets."""
    from course_utils import doctor

    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    check = doctor.check_downloaded_datasets()
    assert check.status == doctor.WARN and "\n" not in check.detail and "no network" in check.detail


def test_a_long_error_keeps_its_start_and_end_on_one_line():
    error = OSError("URL fetch failure on https://example.org/" + "x" * 500 + "\nsecond line -- [Errno -2] refused")
    line = network.short_error(error, limit=120)
    assert "\n" not in line and len(line) <= 120 and line.startswith("OSError: URL fetch") and line.endswith("refused")
