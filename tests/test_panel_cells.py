"""The cells a knob panel needs, as the browser test runs them."""

import nbformat
import pytest

from panel_cells import cells_needed, panel_notebook
from project import WITH_PANEL

CELLS = [
    "import numpy as np",                                # 0: used by 1 and 4
    "data = np.ones(3)",                                 # 1: used by 3
    "results = {seed: np.random.rand(3) for seed in range(2)}",  # 2: an experiment the panel does not read
    "data = data * 2",                                   # 3: the panel sees this data
    "def score(seed):\n    return np.sum(data) + seed",  # 4: `seed` is its own parameter, not cell 2's
    "panel = KnobPanel(score)",                          # 5
]


def test_the_panel_needs_the_cells_that_define_what_it_uses_and_nothing_else():
    assert cells_needed(CELLS, 5) == [0, 1, 3, 4, 5]


def test_a_name_defined_again_later_is_taken_from_the_later_cell():
    assert cells_needed(["x = 1", "x = 2", "y = x"], 2) == [1, 2]


def test_a_cell_that_is_not_plain_python_is_kept():
    assert cells_needed(["%matplotlib inline", "y = 1", "panel = y"], 2) == [0, 1, 2]


@pytest.mark.parametrize("path", WITH_PANEL, ids=lambda path: path.stem)
def test_each_panel_notebook_keeps_its_panel_and_its_text_and_drops_some_code(path):
    full, trimmed = nbformat.read(path, as_version=4), panel_notebook(path)
    code = [cell.source for cell in trimmed.cells if cell.cell_type == "code"]
    assert "KnobPanel(" in code[-1]
    assert len(code) < sum(cell.cell_type == "code" for cell in full.cells)
    assert [cell for cell in trimmed.cells if cell.cell_type == "markdown"] == \
        [cell for cell in full.cells if cell.cell_type == "markdown"]
