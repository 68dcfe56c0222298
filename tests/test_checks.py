"""The answer printer and the claim-table helper in ``course_utils.checks``."""


def test_verdict_table_shows_each_measured_verdict():
    from course_utils.checks import verdict_table

    table = verdict_table([("a", "1.0", True), ("b", "2.0", False)]).data.splitlines()
    assert table[0] == "| claim | measurement | verdict |"
    assert table[2] == "| a | 1.0 | ✅ holds |" and table[3] == "| b | 2.0 | ❌ does not hold |"


def test_verdict_table_records_its_rows_when_asked(monkeypatch, tmp_path):
    import json

    from course_utils.checks import verdict_table

    record = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv("COURSE_VERDICTS", str(record))
    verdict_table([("a", "1.0", True)])
    verdict_table([("b", "2.0", 0)])
    rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert rows == [{"claim": "a", "measurement": "1.0", "holds": True},
                    {"claim": "b", "measurement": "2.0", "holds": False}]


def test_verdict_table_records_nothing_by_default(monkeypatch, tmp_path):
    from course_utils.checks import verdict_table

    monkeypatch.delenv("COURSE_VERDICTS", raising=False)
    monkeypatch.chdir(tmp_path)
    verdict_table([("a", "1.0", True)])
    assert list(tmp_path.iterdir()) == []
