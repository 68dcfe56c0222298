import keras
import numpy as np
import pytest

from course_utils.progress import Progress


def tiny_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_the_bar_counts_every_epoch_of_every_run_and_names_the_run():
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "float32")
    with Progress(runs=2, epochs=3) as progress:
        tiny_model().fit(x, y, epochs=3, verbose=0, callbacks=[progress.run("first")])
        assert progress.bar.n == 3 and "run 1/2 (first)" in progress.bar.desc
        tiny_model().fit(x, y, epochs=3, verbose=0, callbacks=[progress.run()])
        assert progress.bar.n == 6 == progress.bar.total
        assert "run 2/2" in progress.bar.desc and "epoch 3/3" in str(progress.bar)


def test_an_early_stop_still_moves_the_bar_to_the_end_of_its_run():
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "float32")
    stop_at_once = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1.0)
    with Progress(runs=1, epochs=10) as progress:
        history = tiny_model().fit(x, y, epochs=10, verbose=0, callbacks=[stop_at_once, progress.run()])
        assert len(history.history["loss"]) < 10
        assert progress.bar.n == 10


@pytest.mark.parametrize("runs, epochs", [(0, 5), (3, 0), (-1, 2)])
def test_an_empty_sweep_is_refused_with_its_numbers(runs, epochs):
    with pytest.raises(ValueError, match=f"runs={runs}, epochs={epochs}"):
        Progress(runs=runs, epochs=epochs)


def test_in_a_notebook_the_bar_is_a_widget_that_moves(monkeypatch):
    # what tqdm.auto picks in a kernel; make test-ipywidgets7 runs this on Colab's ipywidgets 7.7.1 too
    import ipywidgets
    from tqdm.notebook import tqdm as notebook_bar

    monkeypatch.setattr("course_utils.progress.tqdm", notebook_bar)
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "float32")
    with Progress(runs=1, epochs=2) as progress:
        tiny_model().fit(x, y, epochs=2, verbose=0, callbacks=[progress.run("seed 0")])
    # tqdm redraws a widget at most every 0.1 s while running, and once more when closed
    assert isinstance(progress.bar.container, ipywidgets.HBox)
    _, bar_widget, text = progress.bar.container.children
    assert bar_widget.value == 2 == bar_widget.max
    assert "epoch 2/2" in text.value.replace("\u2007", " ")  # tqdm writes figure spaces
