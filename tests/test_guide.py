"""The instructor guide quotes the latest default-mode report, and its schedules add up."""

import json

from course_utils import guide
from project import NOTEBOOKS


def fake_notebook(name, compute_seconds, reading_minutes):
    section = {"title": "all of it", "compute_seconds": compute_seconds, "words": 0,
               "reading_minutes": reading_minutes}
    return {"name": name, "seconds": compute_seconds, "peak_mb": 900, "sections": [section]}


def test_the_guide_is_in_step_with_the_report():
    report = json.loads(guide.REPORT.read_text(encoding="utf-8"))
    text = guide.GUIDE.read_text(encoding="utf-8")
    assert guide.render(text, report) == text, "run: python -m course_utils.guide"


def test_the_guide_times_every_notebook_of_the_course():
    text = guide.GUIDE.read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f"<!-- generated:{notebook.stem} -->" in text


def test_a_notebook_is_planned_from_its_measured_time_rounded_up():
    assert guide.planned_minutes(fake_notebook("a", 120, 8)) == 15  # (2 + 8) × 1.5 = 15
    assert guide.planned_minutes(fake_notebook("a", 60, 9.5)) == 20  # 15.75 → 20


def test_a_schedule_fits_its_time_and_breaks_before_running_long():
    notebooks = [fake_notebook(f"{index:02d}", 600, 30) for index in range(6)]  # 60 min each planned
    table, left_out = guide.schedule(notebooks, 180)
    assert "| 09:00 | 00 (60 min) |" in table and "| 10:00 | break (10 min) |" in table
    assert "| 10:10 | 01 (60 min) |" in table and "| 11:10 | end |" in table  # a third would end 12:20
    assert [notebook["name"] for notebook in left_out] == ["02", "03", "04", "05"]


def test_no_break_right_after_a_short_start():
    notebooks = [fake_notebook("short", 0, 10), fake_notebook("long", 0, 40)]  # 15 and 60 min planned
    table, _ = guide.schedule(notebooks, 180)
    assert "break" not in table and "| 09:15 | long (60 min) |" in table
