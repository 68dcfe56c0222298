"""What keeps a learner's machine safe, each kept true by a test: no data is unpickled, nothing a
learner types is run as code, downloads and the offline backbone are checked against pinned
SHA-256 digests before use, and Colab installs one fixed commit of the course."""

import ast
import importlib.util
import json
import re
import shutil
import subprocess

import pytest

from course_utils import data, transfer
from project import NOTEBOOKS, ROOT, SETTINGS

_spec = importlib.util.spec_from_file_location("pin", ROOT / "tools" / "pin.py")  # writes the pin everywhere
pin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pin)

COURSE_FILES = sorted((ROOT / "course_utils").rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py"))


def notebook_code(path):
    """A notebook's code cells as one parsable module (IPython's magics and shell lines left out)."""
    cells = [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    lines = ["".join(cell["source"]) for cell in cells]
    return "\n".join(line for cell in lines for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))


SOURCES = [(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")) for path in COURSE_FILES] + \
          [(path.relative_to(ROOT).as_posix(), notebook_code(path)) for path in NOTEBOOKS]


def calls(source):
    """Every call in ``source``: (the dotted name called, the call node)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            yield ast.unparse(node.func), node


@pytest.mark.parametrize("name, source", SOURCES, ids=[name for name, _ in SOURCES])
def test_no_data_is_unpickled(name, source):
    for called, node in calls(source):
        if called.split(".")[-1] == "load" and called.split(".")[0] in ("np", "numpy"):
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            assert "allow_pickle" in keywords and ast.literal_eval(keywords["allow_pickle"]) is False, \
                f"{name}: {ast.unparse(node)} must say allow_pickle=False"
        assert not re.fullmatch(r"(c?pickle|joblib|dill|cloudpickle|torch)\.(load|loads)|"
                                r"pd\.read_pickle|pandas\.read_pickle|(pickle\.)?Unpickler", called), \
            f"{name}: {ast.unparse(node)} unpickles"


@pytest.mark.parametrize("name, source", SOURCES, ids=[name for name, _ in SOURCES])
def test_nothing_is_run_as_code(name, source):
    """No eval, exec or compile of text (a model's ``.compile`` is Keras's), no import by a name made
    at run time, and no model file loaded with Keras's safe mode off (a Lambda layer's code)."""
    for called, node in calls(source):
        assert called.removeprefix("builtins.") not in ("eval", "exec", "compile", "__import__"), \
            f"{name}: {ast.unparse(node)} runs text as code"
        if called.endswith("load_model"):
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            assert "safe_mode" not in keywords or ast.literal_eval(keywords["safe_mode"]) is True, name


def test_the_scans_would_find_what_they_forbid():
    assert any(called == "pickle.load" for called, _ in calls("import pickle\npickle.load(open('x', 'rb'))"))
    with pytest.raises(AssertionError):
        test_no_data_is_unpickled("sample", "import numpy as np\nnp.load('x.npz')")
    with pytest.raises(AssertionError):
        test_nothing_is_run_as_code("sample", "value = eval(slider.value)")
    with pytest.raises(AssertionError):
        test_nothing_is_run_as_code("sample", "exec(code_box.value)")
    with pytest.raises(AssertionError):
        test_nothing_is_run_as_code("sample", "keras.saving.load_model(path, safe_mode=False)")
    test_nothing_is_run_as_code("sample", "model.compile(optimizer='adam')")


def test_every_download_has_a_pinned_sha256_and_no_other_way_in():
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for files in data.ARCHIVES.values() for digest in files.values())
    source = (ROOT / "course_utils" / "data.py").read_text()
    get_files = [node for called, node in calls(source) if called.endswith("get_file")]
    assert len(get_files) == 1  # fetch_archive's, the one way a data set is downloaded
    keywords = {keyword.arg: ast.unparse(keyword.value) for keyword in get_files[0].keywords}
    assert keywords["file_hash"] == "pinned" and keywords["hash_algorithm"] == "'sha256'"
    for name, text in SOURCES:
        assert "keras.datasets" not in text or name.endswith(".ipynb") and "load_data(" not in text, name


def test_the_offline_backbone_is_checked_before_it_is_loaded(tmp_path, monkeypatch):
    copy = tmp_path / transfer.BACKBONE_FILE
    shutil.copy(transfer.BACKBONE_PATH, copy)
    copy.with_suffix(".sha256").write_text("0" * 64 + "\n")
    loaded = []
    monkeypatch.setattr("keras.saving.load_model", lambda *args, **kwargs: loaded.append(args))
    with pytest.raises(transfer.BackboneDigestError):
        transfer.load_backbone(copy)
    assert loaded == []
    assert re.fullmatch(r"[0-9a-f]{64}", transfer.BACKBONE_SHA256)


# --- the Colab set-up cell installs one fixed commit -------------------------------------------

def set_up_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return next("".join(cell["source"]) for cell in cells
                if cell["cell_type"] == "code" and "google.colab" in "".join(cell["source"]))


def test_the_pin_is_a_full_commit():
    assert re.fullmatch(r"[0-9a-f]{40}", SETTINGS["ref"]), \
        f"pyproject.toml's ref {SETTINGS['ref']!r} must be a full commit: a tag or branch can be moved"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_every_notebook_installs_and_links_the_pinned_commit(path):
    repository, ref = SETTINGS["repository"], SETTINGS["ref"]
    setup = set_up_cell(path)
    assert pin.refs_named(setup, repository) == {ref} and f"git+{repository}@{ref}\"" in setup
    assert "--no-deps" in setup
    text = path.read_text(encoding="utf-8")
    assert pin.refs_named(text, repository) == {ref}
    title = "".join(json.loads(text)["cells"][0]["source"])
    assert len([match for pattern in pin.patterns(repository) for match in pattern.finditer(title)]) == 2  # two badges


def test_the_readme_names_the_pinned_commit_only():
    assert pin.refs_named((ROOT / "README.md").read_text(encoding="utf-8"), SETTINGS["repository"]) == {SETTINGS["ref"]}


def test_the_pin_script_finds_nothing_to_change():
    assert pin.main(["--check"]) == 0


def test_the_pin_script_rewrites_every_address_and_only_those():
    repository = SETTINGS["repository"]
    text = (f"[b](https://colab.research.google.com/github/{repository[19:]}/blob/v1/notebooks/a.ipynb) "
            f"[b](https://mybinder.org/v2/gh/{repository[19:]}/main?urlpath=lab) "
            f'"git+{repository}@v1"], keep https://github.com/other/repo@v1')
    new = pin.pinned(text, repository, "f" * 40)
    assert pin.refs_named(new, repository) == {"f" * 40} and new.endswith("keep https://github.com/other/repo@v1")


def git(*arguments):
    return subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None or git("rev-parse", "--git-dir").returncode != 0,
                    reason="not a git checkout: whether the pinned commit exists cannot be checked here")
def test_the_pinned_commit_exists_in_this_history():
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone holds only its newest commits: fetch the history to check the pin")
    ref = SETTINGS["ref"]
    assert git("cat-file", "-e", f"{ref}^{{commit}}").returncode == 0, f"{ref} is not a commit of this repository"
    assert git("merge-base", "--is-ancestor", ref, "HEAD").returncode == 0, f"{ref} is not in this branch's history"
