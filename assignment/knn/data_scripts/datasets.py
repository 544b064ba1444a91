"""Choose a data set, preprocess it for linear classifiers, and describe it in one line.

Every loader returns a dict with ``name``, ``class_names`` and, for each split
``train``, ``val``, ``test`` and ``dev``, images ``X_<split>`` float64 (N, H, W, C) in
[0, 255] and labels ``y_<split>`` int64 (N,).
"""

from __future__ import annotations

import copy
import os

import numpy as np

from .digits import load_digits_dataset

NAMES = ("cifar10", "digits")
SPLITS = ("train", "val", "test", "dev")
_SOURCES = {
    "cifar10": "CIFAR-10",
    "digits": "embedded scikit-learn digits",
}


def load_dataset(name: str | None = None, cifar_dir: str | os.PathLike | None = None, seed: int = 0) -> dict:
    """Load "cifar10" or "digits" (see the module docstring for the dict returned).

    ``name`` None picks "cifar10" if its extracted batches are found under ``cifar_dir``
    (default ``cifar10.default_dir()``), else "digits", which is bundled and always there.
    CIFAR-10 gets the standard 49000/1000/1000/500 split, scaled down if fewer images are
    on disk. An explicit "cifar10" without data raises FileNotFoundError naming the
    download command; an unknown name raises ValueError.
    """
    # Imported here, not at the top, so that `python -m data_scripts.cifar10` does not
    # find data_scripts.cifar10 already imported (runpy warns about that).
    from . import cifar10

    if name is None:
        name = "cifar10" if cifar10.find_extracted(cifar_dir) is not None else "digits"
    if name == "cifar10":
        return cifar10.load_cifar10(
            cifar_dir, num_training=None, num_validation=None, num_test=None, num_dev=None, seed=seed
        )
    if name == "digits":
        return load_digits_dataset(seed=seed)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)} (or None to pick automatically)")


def preprocess(data: dict) -> dict:
    """A new dict ready for a linear classifier; ``data`` itself is never modified.

    Each ``X_*`` (N, H, W, C) becomes float64 (N, H*W*C + 1): flattened, minus the mean
    training image, with a column of ones appended (the bias trick). Adds ``mean_image``
    float64 (H, W, C). Every other key is copied (deep copy), so changing the result
    cannot change ``data``, and running a notebook cell twice gives the same result.
    """
    if "X_train" not in data:
        raise ValueError("preprocess needs a dict with X_train (see load_dataset)")
    for key, value in data.items():
        if key.startswith("X_") and np.ndim(value) != 4:
            raise ValueError(
                f"{key} has shape {np.shape(value)}, expected images (N, H, W, C); "
                "is this data already preprocessed? Pass the dict from load_dataset."
            )

    mean_image = np.mean(data["X_train"], axis=0, dtype=np.float64)  # (H, W, C)
    result = {}
    for key, value in data.items():
        if key.startswith("X_"):
            X = np.asarray(value, dtype=np.float64).reshape(len(value), -1) - mean_image.reshape(-1)
            result[key] = np.hstack([X, np.ones((len(X), 1))])
        else:
            result[key] = copy.deepcopy(value)
    result["mean_image"] = mean_image
    return result


def describe(data: dict) -> str:
    """One line naming the data set, its image shape and split sizes, e.g.

    ``dataset: digits (embedded scikit-learn digits, 8x8x1) train 1297, val 200, test 300, dev 200``

    Works on raw and on preprocessed data.
    """
    name = data.get("name", "unknown")
    shape = np.shape(data["mean_image"]) if "mean_image" in data else np.shape(data["X_train"])[1:]
    source = _SOURCES.get(name, name)
    sizes = ", ".join(f"{split} {len(data[f'X_{split}'])}" for split in SPLITS if f"X_{split}" in data)
    return f"dataset: {name} ({source}, {'x'.join(str(d) for d in shape)}) {sizes}"
