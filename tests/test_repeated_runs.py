"""Twenty runs of a knob panel in one kernel keep at most 100 MB of the kernel's memory.

The same measurement as ``benchmarks/repeated_runs.py`` (see ``benchmarks/REPEATED_RUNS.md``), on
the first notebook with a panel: a fresh kernel in fast mode runs the notebook up to the panel,
then ``panel.run()`` twenty times; the growth between the first run and the twentieth is bounded.
"""

import pytest

from project import WITH_PANEL, load_benchmark

BOUND_MB = 100
RUNS = 20

pytestmark = pytest.mark.slow  # starts a kernel and trains twenty times


def benchmark():
    return load_benchmark("repeated_runs")


def test_the_benchmark_finds_every_notebook_with_a_panel():
    found = {path.name for path in benchmark().notebooks_with_panels()}
    expected = {path.name for path in WITH_PANEL}
    assert found == expected and found


@pytest.fixture(scope="module")
def twenty_runs():
    module = benchmark()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_MODE", "fast")
        return module.measure(module.notebooks_with_panels()[0], RUNS, "none")


def test_twenty_runs_of_a_panel_all_train(twenty_runs):
    assert twenty_runs["failed_runs"] == 0, twenty_runs["first_error"]


@pytest.mark.xfail(reason="TensorFlow keeps each trained model's functions in its eager context "
                          "(measured: 20 functions, about 5–8 MB per model, not freed by clear_session, "
                          "gc or malloc_trim); benchmarks/REPEATED_RUNS.md. Strict: it fails once that is fixed, "
                          "so that this mark goes", strict=True)
def test_twenty_runs_of_a_panel_keep_at_most_100_mb(twenty_runs):
    assert twenty_runs["growth_mb"] <= BOUND_MB, twenty_runs
