"""Download, verify, extract and load CIFAR-10 (the python version).

Layout on disk (``default_dir()``, or ``$CIFAR10_DIR``)::

    cifar-10-python.tar.gz          the archive, kept after a verified download
    cifar-10-batches-py/            the extracted batches
        data_batch_1 .. data_batch_5   10000 training images each
        test_batch                     10000 test images
        batches.meta                   label_names (10 class names)

Each batch is a pickle holding ``data``, a uint8 array of shape (n, 3072) whose
rows are planar images (1024 red, then 1024 green, then 1024 blue values, each
plane row-major 32x32), and ``labels``, a list of n ints in 0..9.

Command line: ``python -m data_scripts.cifar10 [--dir DIR] [--url URL]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path, PurePosixPath

import numpy as np

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META = "batches.meta"
EXPECTED_FILES = TRAIN_BATCHES + (TEST_BATCH, META)

DOWNLOAD_COMMAND = "python -m data_scripts.cifar10"
_CHUNK = 1 << 20  # bytes read per step while downloading or hashing


class ChecksumError(ValueError):
    """The downloaded archive's MD5 is not the expected one."""


class UnsafeArchiveError(ValueError):
    """The archive holds a member that is a link or would land outside its folder."""


def default_dir() -> Path:
    """Directory that holds the archive and ``cifar-10-batches-py/``.

    ``$CIFAR10_DIR`` if set, else ``data_scripts/datasets`` (git-ignored).
    """
    return Path(os.environ.get("CIFAR10_DIR", Path(__file__).resolve().parent / "datasets"))


# --------------------------------------------------------------------------- download


def file_md5(path: str | os.PathLike) -> str:
    """Hex MD5 of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(dest_dir: str | os.PathLike | None = None, url: str = URL, md5: str = MD5) -> Path:
    """Download the archive into ``dest_dir`` (default ``default_dir()``); return its path.

    Does nothing if ``dest_dir/cifar-10-python.tar.gz`` exists and has the expected MD5.
    Otherwise streams ``url`` (http(s):// or file://) to a temporary file in ``dest_dir``,
    checks its MD5 and only then renames it into place, so an interrupted or corrupt
    download never looks like a good archive. On a mismatch the temporary file is deleted
    and ``ChecksumError`` is raised. A download that fails (offline, say) leaves nothing
    behind, not even the folders it created for the archive.
    """
    dest_dir = Path(dest_dir) if dest_dir is not None else default_dir()
    created = [folder for folder in [dest_dir, *dest_dir.parents] if not folder.exists()]  # the deepest first
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _download(dest_dir, url, md5)
    except BaseException:
        for folder in created:
            try:
                folder.rmdir()  # only if still empty
            except OSError:
                break
        raise


def _download(dest_dir: Path, url: str, md5: str) -> Path:
    archive = dest_dir / ARCHIVE
    md5 = md5.lower()

    if archive.is_file():
        got = file_md5(archive)
        if got == md5:
            print(f"{archive} is already here and its MD5 checks out; not downloading.")
            return archive
        print(f"{archive} has MD5 {got}, expected {md5}; downloading it again.")

    print(f"Downloading {url} to {archive} ...", flush=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{ARCHIVE}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        got = digest.hexdigest()
        if got != md5:
            raise ChecksumError(
                f"MD5 mismatch for {url}: expected {md5}, got {got}. "
                "The download is corrupt or the file has changed; nothing was kept."
            )
        os.replace(tmp, archive)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    print(f"Downloaded {size / 1e6:.1f} MB; MD5 verified.")
    return archive


# --------------------------------------------------------------------------- extract


def find_extracted(root: str | os.PathLike | None = None) -> Path | None:
    """The folder holding all expected batch files, or None.

    Looks in ``root/cifar-10-batches-py`` first, then in ``root`` itself (so either the
    parent directory or the batches folder may be given). ``root`` defaults to ``default_dir()``.
    """
    root = Path(root) if root is not None else default_dir()
    for folder in (root / FOLDER, root):
        if all((folder / name).is_file() for name in EXPECTED_FILES):
            return folder
    return None


def _check_members(members: list[tarfile.TarInfo]) -> None:
    """Refuse links, special files and paths that leave ``cifar-10-batches-py/``."""
    for member in members:
        path = PurePosixPath(member.name)
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"refusing archive member {member.name!r}: not a regular file or folder")
        if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] != FOLDER:
            raise UnsafeArchiveError(f"refusing archive member {member.name!r}: outside {FOLDER}/")


def extract(archive: str | os.PathLike, dest_dir: str | os.PathLike | None = None) -> Path:
    """Extract the archive to ``dest_dir/cifar-10-batches-py`` and return that folder.

    ``dest_dir`` defaults to the archive's directory. Does nothing (and does not even open
    the archive) when all expected files are already there. Otherwise every member is checked
    first (``UnsafeArchiveError`` for links or paths escaping the folder), the archive is
    extracted with ``filter="data"`` into a temporary directory inside ``dest_dir``, and the
    complete folder is renamed into place, replacing any incomplete one.
    """
    archive = Path(archive)
    dest_dir = Path(dest_dir) if dest_dir is not None else archive.parent
    target = dest_dir / FOLDER
    if all((target / name).is_file() for name in EXPECTED_FILES):
        print(f"{target} already holds all CIFAR-10 batches; not extracting.")
        return target

    dest_dir.mkdir(parents=True, exist_ok=True)
    print(f"Extracting {archive} to {target} ...", flush=True)
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        _check_members(members)
        tmp = Path(tempfile.mkdtemp(dir=dest_dir, prefix=".extract-"))
        try:
            tar.extractall(tmp, members=members, filter="data")
            missing = [name for name in EXPECTED_FILES if not (tmp / FOLDER / name).is_file()]
            if missing:
                raise FileNotFoundError(f"{archive} lacks {FOLDER}/{', '.join(missing)}")
            if target.exists():  # an incomplete earlier extraction: move it aside, delete below
                os.replace(target, tmp / "incomplete")
            os.replace(tmp / FOLDER, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


# --------------------------------------------------------------------------- load


def _read_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Images as uint8 (n, 32, 32, 3) and labels as int64 (n,) from one batch file."""
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="latin1")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"{path}: expected data (n, 3072) and n labels, got {data.shape} and {labels.shape}")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planar -> (n, row, col, channel)
    return images, labels


def load_batch(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """One batch file as ``(X, y)``: X float64 (n, 32, 32, 3) in [0, 255], y int64 (n,)."""
    images, labels = _read_batch(path)
    return images.astype(np.float64), labels


def _missing_message(root: Path) -> str:
    where = "" if root == default_dir() else f" --dir {root}"
    return f"CIFAR-10 batches not found in {root}. Download them with: {DOWNLOAD_COMMAND}{where}"


def _resolve_sizes(n_train_on_disk, n_test_on_disk, num_training, num_validation, num_test, num_dev):
    """Fill in None sizes with the standard proportions of what is on disk, then validate.

    The proportions (1/50 validation, the rest training, 1/10 of the test batch, 1/98 of
    training for dev) give exactly 49000/1000/1000/500 on the full data set.
    """
    if num_validation is None:
        num_validation = max(1, round(n_train_on_disk / 50))
    if num_training is None:
        num_training = n_train_on_disk - num_validation
    if num_test is None:
        num_test = max(1, round(n_test_on_disk / 10))
    if num_dev is None:
        num_dev = min(num_training, max(1, round(num_training / 98)))
    sizes = dict(num_training=num_training, num_validation=num_validation, num_test=num_test, num_dev=num_dev)
    if any(int(v) != v or v < 0 for v in sizes.values()):
        raise ValueError(f"split sizes must be non-negative integers, got {sizes}")
    if num_training + num_validation > n_train_on_disk:
        raise ValueError(
            f"num_training + num_validation = {num_training + num_validation} but only "
            f"{n_train_on_disk} training images are on disk"
        )
    if num_test > n_test_on_disk:
        raise ValueError(f"num_test = {num_test} but only {n_test_on_disk} test images are on disk")
    if num_dev > num_training:
        raise ValueError(f"num_dev = {num_dev} exceeds num_training = {num_training}")
    return int(num_training), int(num_validation), int(num_test), int(num_dev)


def load_cifar10(
    root: str | os.PathLike | None = None,
    num_training: int | None = 49000,
    num_validation: int | None = 1000,
    num_test: int | None = 1000,
    num_dev: int | None = 500,
    seed: int = 0,
) -> dict:
    """Load the extracted batches and split them the CS231n way.

    ``root`` is the directory holding ``cifar-10-batches-py/`` (or that folder itself);
    default ``default_dir()``. Splits: train = the first ``num_training`` of the training
    images, val = the next ``num_validation``, test = the first ``num_test`` of the test
    batch, dev = ``num_dev`` training rows drawn without replacement with
    ``np.random.default_rng(seed)``. A size of None means the standard proportion of what is
    on disk (see ``_resolve_sizes``); sizes larger than what is on disk raise ValueError.

    Returns a dict: ``name`` "cifar10", ``class_names`` (10 str), ``X_train``, ``X_val``,
    ``X_test``, ``X_dev`` float64 (N, 32, 32, 3) in [0, 255], and ``y_*`` int64 (N,).
    Raises FileNotFoundError naming the download command when the batches are missing.
    """
    root = Path(root) if root is not None else default_dir()
    folder = find_extracted(root)
    if folder is None:
        raise FileNotFoundError(_missing_message(root))

    parts = [_read_batch(folder / name) for name in TRAIN_BATCHES]
    images = np.concatenate([p[0] for p in parts])  # uint8: convert only the rows kept
    labels = np.concatenate([p[1] for p in parts])
    test_images, test_labels = _read_batch(folder / TEST_BATCH)
    with open(folder / META, "rb") as f:
        class_names = [str(n) for n in pickle.load(f, encoding="latin1")["label_names"]]

    n_tr, n_val, n_te, n_dev = _resolve_sizes(
        len(images), len(test_images), num_training, num_validation, num_test, num_dev
    )
    dev_rows = np.random.default_rng(seed).choice(n_tr, size=n_dev, replace=False)
    X_train = images[:n_tr].astype(np.float64)
    y_train = labels[:n_tr].copy()
    return {
        "name": "cifar10",
        "class_names": class_names,
        "X_train": X_train,
        "y_train": y_train,
        "X_val": images[n_tr : n_tr + n_val].astype(np.float64),
        "y_val": labels[n_tr : n_tr + n_val].copy(),
        "X_test": test_images[:n_te].astype(np.float64),
        "y_test": test_labels[:n_te].copy(),
        "X_dev": X_train[dev_rows],
        "y_dev": y_train[dev_rows],
    }


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Download (if needed), verify and extract (if needed). Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=DOWNLOAD_COMMAND, description="Download, verify and extract CIFAR-10 (python version)."
    )
    parser.add_argument("--dir", type=Path, default=None, help=f"target directory (default: {default_dir()})")
    parser.add_argument("--url", default=URL, help="where to download from (http(s):// or file://)")
    parser.add_argument("--md5", default=MD5, help="expected MD5 of the archive")
    args = parser.parse_args(argv)
    dest_dir = args.dir if args.dir is not None else default_dir()

    if find_extracted(dest_dir) == dest_dir / FOLDER:
        print(f"CIFAR-10 is already downloaded and extracted in {dest_dir / FOLDER}; nothing to do.")
        return 0
    try:
        archive = download(dest_dir, url=args.url, md5=args.md5)
        folder = extract(archive, dest_dir)
    except (OSError, ValueError, tarfile.TarError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"CIFAR-10 is ready in {folder}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
