"""Self-checks for notebook 06 (transfer learning)."""

from __future__ import annotations

import numbers

from course_utils.checks import respond

UNFROZEN_LAYERS = 4  # the backbone's last block: block4_conv, block4_bn, block4_relu, features


def unfrozen_params(layers: int = UNFROZEN_LAYERS) -> int:
    """The trainable parameters of the course's backbone with only its last ``layers`` layers unfrozen."""
    from course_utils import transfer

    backbone = transfer.build_backbone()
    for layer in backbone.layers[:len(backbone.layers) - layers]:
        layer.trainable = False
    return transfer.count_params(backbone.trainable_weights)


def check_unfrozen_params(answer) -> bool:
    """Exercise 1: the backbone's trainable parameters with its last block unfrozen (the head not counted)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return respond(False, f"Give a whole number, not {answer!r}.")
    expected = unfrozen_params()
    if answer == expected:
        return respond(True, f"Right: {expected:,} = 3·3·64·64 kernel weights + 2·64 for BatchNorm's γ and β.")
    if answer == expected + 2 * 64:
        return respond(False, "Close: BatchNorm's moving mean and variance are weights, but not trained ones.")
    return respond(False, f"Not quite ({answer:,}). Hint: a 3×3 convolution from 64 to 64 channels without a bias, "
                          "plus what BatchNorm trains per channel; ReLU and pooling train nothing.")


def check_recompile_guess(answer, *, changed: bool) -> bool:
    """Exercise 2: does a layer unfrozen after ``compile`` train before the next ``compile``?
    ``changed`` is what the notebook measured."""
    if not isinstance(answer, bool):
        return respond(False, f"Answer True (the kernel changes) or False (it does not), not {answer!r}.")
    if answer == changed:
        return respond(True, "Right, as measured: " + ("the kernel changed." if changed else
                       "Keras kept training the weights that were trainable at compile time."))
    return respond(False, "Not what was measured: " + ("the kernel changed." if changed else
                   "the kernel stayed the same. The training function built at the first fit lives until compile."))


def last_two_blocks() -> int:
    """How many layers from the end of the backbone cover its last two convolution blocks whole."""
    from course_utils import transfer

    names = [layer.name for layer in transfer.build_backbone().layers]
    return len(names) - min(index for index, name in enumerate(names) if name.startswith("block3"))


def check_last_two_blocks(answer) -> bool:
    """Exercise 3: the ``unfrozen_layers`` that unfreezes the backbone's blocks 3 and 4 whole."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return respond(False, f"Give a whole number, not {answer!r}.")
    expected = last_two_blocks()
    if answer == expected:
        return respond(True, f"Right: {expected} layers, from block3_conv to the pooling ('features').")
    hint = "too few: count the pooling at the end too" if answer < expected else "too many: that reaches into block2"
    return respond(False, f"Not quite ({answer}): {hint}. List [layer.name for layer in pretrained_backbone().layers].")
