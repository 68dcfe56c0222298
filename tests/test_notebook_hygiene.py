"""Every notebook: valid, numbered in sequence, titled, set up for Colab, committed without outputs."""

import re

import nbformat
import pytest

from project import NOTEBOOKS, ROOT, SETTINGS

CHECKED = "# NBVAL_CHECK_OUTPUT"


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_notebooks_exist_and_are_numbered_in_sequence():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert NOTEBOOKS and numbers == list(range(len(NOTEBOOKS)))
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name) for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_valid_nbformat_and_python_kernel(path):
    notebook = read(path)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_title_matches_number(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {path.name[:2]} · ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_first_code_cell_installs_only_on_colab_from_the_projects_address(path):
    setup = code_cells(read(path))[0].source
    assert 'if "google.colab" in sys.modules:' in setup
    assert f"git+{SETTINGS['repository']}@{SETTINGS['ref']}" in setup
    assert "--no-deps" in setup  # Colab's own TensorFlow is left alone


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_badges_point_at_this_notebook_and_reference(path):
    title = read(path).cells[0].source
    repo = SETTINGS["repository"].removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/{SETTINGS['ref']}/notebooks/{path.name}" in title
    assert f"mybinder.org/v2/gh/{repo}/{SETTINGS['ref']}?urlpath=lab/tree/notebooks/{path.name}" in title


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_no_stored_outputs_except_checked_cells(path):
    for cell in code_cells(read(path)):
        if cell.source.startswith(CHECKED):
            assert cell.outputs and cell.execution_count, "a checked cell stores the output nbval compares"
        else:
            assert not cell.outputs and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_sections_every_notebook_has(path):
    text = "\n".join(cell.source for cell in read(path).cells if cell.cell_type == "markdown")
    for heading in ("**Learning goals**", "**Time:**", "## Exercises", "## Key takeaways"):
        assert heading in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_maps_link_every_notebook_with_its_colab_badge(path):
    repo = SETTINGS["repository"].removeprefix("https://github.com/")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"](notebooks/{path.name})" in readme
    assert f"colab.research.google.com/github/{repo}/blob/{SETTINGS['ref']}/notebooks/{path.name})" in readme
    course_map = read(NOTEBOOKS[0]).cells[2].source
    assert course_map.startswith("## The notebooks")
    row = next(line for line in course_map.splitlines() if line.startswith(f"| {path.name[:2]} |"))
    assert "planned" not in row and (path == NOTEBOOKS[0] or f"]({path.name})" in row)
