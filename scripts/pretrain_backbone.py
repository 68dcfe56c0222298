"""Pretrains notebook 06's offline backbone on digits 0–4 and saves it under data/.

    python scripts/pretrain_backbone.py                 # the committed file: 15 epochs, seed 0
    python scripts/pretrain_backbone.py --epochs 5 --out /tmp/backbone.keras

Writes the model (``.keras``), its SHA-256 (``.sha256``) and its training log (``.log.json``);
prints the digest to put in ``course_utils/transfer.py`` (``BACKBONE_SHA256``) and ``data/README.md``.
The source task, digits 0–4, shares no class with notebook 06's target task, digits 5–9.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv=None) -> int:
    from course_utils import transfer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=transfer.BACKBONE_PATH, help="the .keras file to write")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()  # the same weights from the same seed, run after run
    record = transfer.pretrain_backbone(arguments.out, epochs=arguments.epochs, seed=arguments.seed)
    print(f"saved {arguments.out} ({record['bytes'] / 1024:.0f} KiB), held-out accuracy on digits 0-4 "
          f"{record['final val_accuracy']:.3f}, {record['seconds']} s\nSHA-256 {record['sha256']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
