"""Reading a training history from a CSVLogger file, a JSON dump of History.history, or a TensorBoard log."""

import json
import math

import pytest

from course_utils import history_files
from course_utils.history_files import CSV, JSON, TENSORBOARD, HistoryFileError, detect_format, read_history
from histories import (
    SYMPTOM_HISTORIES, needs_tensorboard, real_fit, write_csv, write_json, write_tensorboard,
)

OVERFIT = SYMPTOM_HISTORIES["overfitting"]


def same(values, expected):
    return len(values) == len(expected) and all(
        (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-6) for a, b in zip(values, expected))


# --- files written by a real fit -------------------------------------------------------------

@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    from histories import HAS_TENSORBOARD
    return folder, real_fit(folder, tensorboard=HAS_TENSORBOARD)


def test_a_real_csvlogger_file_gives_back_the_history(real_run):
    folder, history = real_run
    read = read_history(folder / "training.csv")
    assert detect_format(folder / "training.csv") == CSV
    assert set(read) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(same(read[key], history[key]) for key in read)


def test_a_real_json_dump_gives_back_the_history(real_run):
    folder, history = real_run
    assert detect_format(folder / "history.json") == JSON
    assert read_history(folder / "history.json") == history


@needs_tensorboard
def test_a_real_tensorboard_log_directory_gives_back_the_epoch_values(real_run):
    folder, history = real_run
    read = read_history(folder / "logs")
    assert detect_format(folder / "logs") == TENSORBOARD
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert same(read[key], history[key]), key  # stored as float32 scalars: equal to 6 digits


@needs_tensorboard
def test_one_event_file_can_be_read_on_its_own(real_run):
    folder, history = real_run
    train_file = next((folder / "logs" / "train").glob("*tfevents*"))
    read = read_history(train_file)
    assert same(read["loss"], history["loss"]) and "val_loss" not in read


# --- what each writer does with the edge cases ---------------------------------------------------

def test_csvlogger_without_validation_writes_na_columns_which_are_left_out(tmp_path):
    path = write_csv({"loss": [2.0, 1.5, 1.0]}, tmp_path / "log.csv")
    assert "NA" in path.read_text()  # Keras adds val_ columns and fills them with NA
    assert set(read_history(path)) == {"loss", "accuracy"}


def test_nan_survives_every_format(tmp_path):
    diverged = SYMPTOM_HISTORIES["diverged"]
    for path in (write_csv(diverged, tmp_path / "log.csv"), write_json(diverged, tmp_path / "h.json")):
        assert math.isnan(read_history(path)["loss"][-1])


@needs_tensorboard
def test_nan_survives_a_tensorboard_log(tmp_path):
    read = read_history(write_tensorboard(SYMPTOM_HISTORIES["diverged"], tmp_path / "logs"))
    assert math.isnan(read["loss"][-1]) and read["loss"][0] == pytest.approx(4.9)


def test_a_semicolon_separated_csvlogger_file_is_read(tmp_path):
    import keras
    from histories import drive

    drive(keras.callbacks.CSVLogger(str(tmp_path / "log.csv"), separator=";"), OVERFIT)
    assert same(read_history(tmp_path / "log.csv")["val_loss"], OVERFIT["val_loss"])


def test_json_saved_with_its_params_is_read(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"history": OVERFIT, "params": {"epochs": 7}}))
    assert read_history(path) == OVERFIT


# --- bad input: a clear message -------------------------------------------------------------------

@pytest.mark.parametrize("content, words", [
    ("hello\nworld\n", "unknown format"),
    ("", "unknown format"),
    ("[1, 2, 3]", "unknown format"),
    ('{"loss": [2.3, 2.2', "not valid JSON"),
    ('[{"loss": 2.3}]', "unknown format"),
    ('{"accuracy": [0.1, 0.2, 0.3]}', "no loss column"),
    ('{"loss": []}', "holds no epoch"),
    ('{"loss": ["high", "low"]}', "not a list of numbers"),
    ("epoch,accuracy\n0,0.1\n1,0.2\n2,0.3\n", "no loss column"),
    ("epoch,loss\n0,2.3\n1,oops\n2,2.1\n", "not a number"),
    ("epoch,loss\n0,2.3\n1,\n2,2.1\n", "not a number"),
])
def test_malformed_files_raise_a_clear_error(tmp_path, content, words):
    path = tmp_path / "history.txt"
    path.write_text(content)
    with pytest.raises(HistoryFileError, match=words):
        read_history(path)


def test_an_empty_json_object_has_no_loss_column(tmp_path):
    path = tmp_path / "h.json"
    path.write_text("{}")
    with pytest.raises(HistoryFileError, match="no loss column"):
        read_history(path)


def test_a_missing_path_a_binary_file_and_a_folder_without_events(tmp_path):
    with pytest.raises(HistoryFileError, match="does not exist"):
        read_history(tmp_path / "nowhere.csv")
    binary = tmp_path / "weights.bin"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(HistoryFileError, match="unknown format"):
        read_history(binary)
    with pytest.raises(HistoryFileError, match="without TensorBoard event files"):
        read_history(tmp_path)


def test_a_damaged_event_file_is_named(tmp_path):
    folder = tmp_path / "logs" / "train"
    folder.mkdir(parents=True)
    (folder / "events.out.tfevents.1.host.0.v2").write_bytes(b"\x00\x01garbage" * 10)
    with pytest.raises(HistoryFileError, match="not a readable TensorBoard event file"):
        read_history(tmp_path / "logs")


def test_reading_csv_and_json_does_not_need_tensorflow():
    source = (history_files.__file__)
    text = open(source, encoding="utf-8").read()
    top = text.split("def read_history")[0]
    assert "import tensorflow" not in top and "import keras" not in top
