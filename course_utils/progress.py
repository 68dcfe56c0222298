"""A progress bar for a cell that trains several models: which run of how many, the epoch, the time left.

One bar covers every epoch of a sweep, so its time estimate is the whole cell's::

    with Progress(runs=len(SEEDS), epochs=EPOCHS) as progress:
        for seed in SEEDS:
            ...
            model.fit(x, y, epochs=EPOCHS, verbose=0, callbacks=[progress.run(f"seed {seed}")])

The bar is tqdm's: a widget in JupyterLab and Colab (ipywidgets 7 or 8), a line of text elsewhere.
"""

from __future__ import annotations

import keras
from tqdm.auto import tqdm


class Progress:
    """A bar over ``runs × epochs`` epochs; ``run(label)`` gives the callback for the next ``fit``."""

    def __init__(self, runs: int, epochs: int, title: str = "training"):
        if runs < 1 or epochs < 1:
            raise ValueError(f"Progress needs at least one run and one epoch, got runs={runs}, epochs={epochs}")
        self.runs, self.epochs, self.started = runs, epochs, 0
        self.bar = tqdm(total=runs * epochs, desc=title, unit="epoch")

    def run(self, label: str = "") -> keras.callbacks.Callback:
        """The callback for the next run: it moves the bar at each epoch's end."""
        self.started += 1
        return _EpochTicks(self, f"run {self.started}/{self.runs}" + (f" ({label})" if label else ""))

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _EpochTicks(keras.callbacks.Callback):
    """Moves a Progress bar: one step an epoch, and the epochs an early stop skipped at the end."""

    def __init__(self, progress: Progress, description: str):
        super().__init__()
        self.progress, self.description, self.epochs_done = progress, description, 0

    def on_train_begin(self, logs=None):
        self.progress.bar.set_description(self.description)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_done += 1
        loss = (logs or {}).get("loss")
        self.progress.bar.set_postfix_str(f"epoch {epoch + 1}/{self.progress.epochs}"
                                          + (f", loss {loss:.3f}" if loss is not None else ""))
        self.progress.bar.update(1)

    def on_train_end(self, logs=None):
        skipped = self.progress.epochs - self.epochs_done
        if skipped > 0:
            self.progress.bar.update(skipped)
