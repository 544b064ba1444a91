"""The embedded default data set: scikit-learn's bundled handwritten digits.

1797 real 8x8 grey-scale images of the digits 0-9, shipped inside scikit-learn, so it
needs no network. Pixels are rescaled from 0..16 to 0..255 so that they are on the same
scale as CIFAR-10's and the same hyperparameters behave similarly.
"""

from __future__ import annotations

import numpy as np

PIXEL_SCALE = 255.0 / 16.0  # the bundled images use 0..16


def load_digits_dataset(num_validation: int = 200, num_test: int = 300, num_dev: int = 200, seed: int = 0) -> dict:
    """The digits split into train/val/test/dev.

    All 1797 rows are shuffled once with ``np.random.default_rng(seed).permutation``;
    test = the last ``num_test`` rows of that order, val = the ``num_validation`` before
    them, train = the rest (1297 with the defaults), dev = ``num_dev`` training rows drawn
    without replacement with the same generator.

    Returns a dict with the same keys as ``load_cifar10``: ``name`` "digits",
    ``class_names`` ["0", ..., "9"], ``X_train``, ``X_val``, ``X_test``, ``X_dev`` float64
    (N, 8, 8, 1) in [0, 255], and ``y_*`` int64 (N,).
    """
    # Imported here: scikit-learn takes seconds to import, and CIFAR-10 users never need it.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.float64)[..., np.newaxis] * PIXEL_SCALE  # (1797, 8, 8, 1)
    labels = bunch.target.astype(np.int64)
    n = len(images)
    num_training = n - num_validation - num_test
    if min(num_validation, num_test, num_dev) < 0 or num_training < 1 or num_dev > num_training:
        raise ValueError(
            f"cannot split {n} digits into val {num_validation}, test {num_test} "
            f"and dev {num_dev} (training would have {num_training})"
        )

    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    train = order[:num_training]
    val = order[num_training : num_training + num_validation]
    test = order[num_training + num_validation :]
    dev = rng.choice(train, size=num_dev, replace=False)
    return {
        "name": "digits",
        "class_names": [str(d) for d in range(10)],
        "X_train": images[train],
        "y_train": labels[train],
        "X_val": images[val],
        "y_val": labels[val],
        "X_test": images[test],
        "y_test": labels[test],
        "X_dev": images[dev],
        "y_dev": labels[dev],
    }
