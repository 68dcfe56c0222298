"""The course website, built from the notebooks' executions in this test run (not run again)."""

import os
import re

import pytest

from claims import executed_this_session
from course_utils import site
from project import NOTEBOOKS

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    executed = executed_this_session()
    if len(executed) < len(NOTEBOOKS):
        pytest.skip("the site is built from this test run's notebook executions: run the notebooks too "
                    f"(make test); {len(executed)} of {len(NOTEBOOKS)} ran")
    out = tmp_path_factory.mktemp("site")
    return site.build(executed, out), out


def test_the_home_page_links_every_notebook_page(built):
    home, out = built
    text = home.read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f'href="{notebook.stem}.html"' in text
        assert (out / f"{notebook.stem}.html").exists()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_each_page_has_its_outputs_and_badges(built, notebook):
    page = (built[1] / f"{notebook.stem}.html").read_text(encoding="utf-8")
    assert "colab-badge.svg" in page and "mybinder.org/badge_logo.svg" in page
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page), "no plot on the page"
    assert ".ipynb\"" not in re.sub(r'href="https?://[^"]*"', "", page), "a link still points at a notebook file"
    source = notebook.read_text(encoding="utf-8")
    if "KnobPanel(" in source:
        assert site.WIDGET_NOTE in page
    if "claims.table()" in source:
        assert re.search(r"<th[^>]*>verdict</th>", page), "no claims table"


def test_a_widget_output_becomes_a_note():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell("panel", outputs=[new_output("display_data", data={
        site.WIDGET_MIME: {"model_id": "x", "version_major": 2, "version_minor": 0}, "text/plain": "VBox()"})])
    notebook = site.without_live_widgets(new_notebook(cells=[cell]))
    assert notebook.cells[0].outputs[0]["data"] == {"text/html": site.WIDGET_NOTE}
    nbformat.validate(notebook)


def test_a_copy_older_than_its_notebook_is_stale(tmp_path):
    source, copy = tmp_path / "a.ipynb", tmp_path / "copy.ipynb"
    source.write_text("{}")
    copy.write_text("{}")
    written = source.stat().st_mtime
    os.utime(copy, (written + 10, written + 10))
    assert site.stale(copy, source) is False
    os.utime(copy, (written - 10, written - 10))
    assert site.stale(copy, source) is True
    assert site.stale(tmp_path / "missing.ipynb", source) is True
