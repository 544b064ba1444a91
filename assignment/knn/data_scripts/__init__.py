"""Getting and loading data for the linear-classifier assignment.

    from data_scripts import load_dataset, preprocess, describe
    data = load_dataset()        # CIFAR-10 if downloaded, else the bundled digits
    print(describe(data))
    prepared = preprocess(data)  # flattened, mean-subtracted, bias column appended

Download CIFAR-10 with ``python -m data_scripts.cifar10``.
"""

from .datasets import describe, load_dataset, preprocess

__all__ = ["describe", "load_dataset", "preprocess"]
