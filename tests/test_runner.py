import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils.runner import run_course, run_notebook

pytestmark = pytest.mark.slow  # each test starts a kernel or another Python


def write_notebook(path, *sources):
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_measures_the_kernels_peak_memory(tmp_path):
    touch_every_page = "block = bytearray(300 * 2**20)\nblock[::4096] = b'x' * len(block[::4096])"
    hold_it = "import time\ntime.sleep(1)  # the sampler looks every 0.1 s"
    path = write_notebook(tmp_path / "big.ipynb", touch_every_page, hold_it, "del block")
    run = run_notebook(path)
    assert run.error == "" and run.seconds > 0
    assert run.peak_mb >= 300


def test_a_failing_notebook_is_reported_not_raised(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "default")  # restored after the test; run_course sets it
    broken = write_notebook(tmp_path / "a_broken.ipynb", "raise ValueError('bad knob')")
    fine = write_notebook(tmp_path / "b_fine.ipynb", "x = 1")
    runs = run_course([broken, fine], mode="fast")
    assert runs[0].error.startswith("CellExecutionError") and "bad knob" in runs[0].error
    assert runs[1].error == ""
    assert os.environ["COURSE_MODE"] == "fast"
    printed = capsys.readouterr().out.splitlines()
    assert "FAILED" in printed[0] and printed[1].endswith("ok")


def test_command_line_exit_code_follows_the_notebooks(tmp_path, monkeypatch):
    from course_utils.__main__ import main

    monkeypatch.setenv("COURSE_MODE", "fast")
    fine = write_notebook(tmp_path / "fine.ipynb", "print('ok')")
    broken = write_notebook(tmp_path / "broken.ipynb", "1 / 0")
    assert main(["run", str(fine)]) == 0
    assert main(["run", str(fine), str(broken)]) == 1


def test_the_seeds_option_reaches_the_kernel_and_names_the_report(tmp_path, monkeypatch):
    from course_utils.__main__ import main

    monkeypatch.setenv("COURSE_MODE", "fast")
    monkeypatch.delenv("COURSE_SEEDS", raising=False)
    seen = tmp_path / "seeds.txt"
    path = write_notebook(tmp_path / "seeds.ipynb",
                          f"import course_utils as cu\nopen({str(seen)!r}, 'w').write(repr(cu.course_seeds()))")
    assert main(["run", "--seeds", "0,1,2", "--report", str(tmp_path / "reports"), str(path)]) == 0
    assert seen.read_text() == "(0, 1, 2)"
    report = (tmp_path / "reports" / "fast-seeds-0-1-2.md").read_text(encoding="utf-8")
    assert "seeds 0,1,2" in report
    assert "COURSE_SEEDS" not in os.environ


def test_the_seeds_option_refuses_nonsense(capsys):
    from course_utils.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["run", "--seeds", "0,zero"])
    assert stop.value.code == 2 and "whole numbers" in capsys.readouterr().err


CLAIM_CELL = """import course_utils as cu
cu.claims.check("Stuck at 2.302", "a claim the run disagrees with", rule="r", measurement="m",
                verdict=cu.claims.HOLDS, stated=cu.claims.DOES_NOT_HOLD)"""


@pytest.fixture(scope="module")
def claims_run(tmp_path_factory):
    """One run of a notebook that checks a claim, for the run's record and for its report."""
    path = write_notebook(tmp_path_factory.mktemp("claims") / "claims.ipynb", "x = 1",
                          "import time\ntime.sleep(1.5)", CLAIM_CELL)
    return run_notebook(path)


def test_a_run_records_each_cells_time_and_the_claims_checked(claims_run):
    run = claims_run
    assert run.error == ""
    assert [index for index, _ in run.cell_seconds] == [0, 1, 2]
    seconds = dict(run.cell_seconds)
    assert seconds[1] >= 1.5 > seconds[0]
    assert run.slowest_cells(2)[0][1] == max(seconds.values())
    assert [(claim["verdict"], claim["stated"]) for claim in run.claims] == [("holds", "does not hold")]
    assert "COURSE_VERDICTS" not in os.environ


def test_the_report_marks_a_claim_that_disagrees_with_its_text(claims_run, tmp_path):
    from course_utils.report import write_report

    report = write_report([claims_run], "fast", tmp_path / "reports").read_text(encoding="utf-8")
    assert "| claims.ipynb |" in report and "| 1 | 1 |" in report
    assert "| a claim the run disagrees with | m | holds | does not hold | **no** |" in report
    assert (tmp_path / "reports" / "fast.json").exists()


def test_sections_add_up_their_cells_compute_and_words(tmp_path):
    from nbformat.v4 import new_markdown_cell

    notebook = new_notebook(cells=[new_markdown_cell("# Title\nfour words here"), new_code_cell("x = 1"),
                                   new_markdown_cell("## Slow part\none two"), new_code_cell("import time\ntime.sleep(1)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "sections.ipynb")
    run = run_notebook(tmp_path / "sections.ipynb")
    assert [section["title"] for section in run.sections] == ["(introduction)", "Slow part"]
    introduction, slow = run.sections
    assert (introduction["words"], slow["words"]) == (8, 8)  # whitespace-separated, markdown and code alike
    assert slow["compute_seconds"] >= 1 > introduction["compute_seconds"]
