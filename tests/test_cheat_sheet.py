"""The cheat sheet in docs/ is the loss doctor's advice table, rendered: it stays in step with the table."""

from course_utils import cheat_sheet, loss_doctor


def test_the_committed_sheet_is_the_rendered_table():
    assert cheat_sheet.SHEET.read_text(encoding="utf-8") == cheat_sheet.render(), \
        "docs/loss_doctor_cheat_sheet.md is out of date: run python -m course_utils.cheat_sheet"


def test_every_entry_of_the_advice_table_is_on_the_sheet_with_its_rule_and_notebooks():
    text = cheat_sheet.render()
    rules = cheat_sheet.rules()
    for (symptom, metric), (advice, notebooks) in loss_doctor.ADVICE.items():
        assert advice in text and f"**{symptom}**" in text
        assert (symptom, metric) in rules, f"no rule in words for {symptom} ({metric})"
        for number in notebooks:
            assert f"../notebooks/{cheat_sheet.NOTEBOOK_FILES[number]}" in text


def test_the_rules_quote_the_doctors_thresholds(monkeypatch):
    monkeypatch.setattr(loss_doctor, "STUCK_EPOCHS", 7)
    assert "for 7 epochs in a row" in cheat_sheet.rules()[loss_doctor.STUCK, "loss"]


def test_check_mode_fails_on_a_stale_sheet(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cheat_sheet, "SHEET", tmp_path / "sheet.md")
    (tmp_path / "sheet.md").write_text("old")
    assert cheat_sheet.main(["--check"]) == 1
    assert cheat_sheet.main([]) == 0 and cheat_sheet.main(["--check"]) == 0


def test_the_sheet_fits_one_page():
    assert len(cheat_sheet.render().split()) < 800
