"""Offline tests for data_scripts: a tiny archive in CIFAR-10's exact format stands in for the real one."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import pickle
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from data_scripts import cifar10, describe, load_dataset, preprocess
from data_scripts.digits import load_digits_dataset

REPO = Path(__file__).resolve().parents[1]
PER_BATCH = 20  # 5 training batches of 20 images and a test batch of 20
LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def layout_image() -> np.ndarray:
    """A (3, 32, 32) planar image whose value differs by channel, row and column."""
    c, r, k = np.meshgrid(np.arange(3), np.arange(32), np.arange(32), indexing="ij")
    return ((c * 97 + r * 7 + k * 3) % 256).astype(np.uint8)


def make_batch(first_index: int, label_offset: int, rng) -> dict:
    data = rng.integers(0, 256, size=(PER_BATCH, 3072), dtype=np.uint8)
    if first_index == 0 and label_offset == 0:
        data[0] = layout_image().reshape(-1)
    data[:, 0] = np.arange(first_index, first_index + PER_BATCH)  # red pixel (0, 0) = global index
    labels = [(first_index + i + label_offset) % 10 for i in range(PER_BATCH)]
    return {"data": data, "labels": labels, "batch_label": "tiny"}


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A tiny CIFAR-10: ``root`` holds the extracted folder, ``archive`` the .tar.gz, ``md5`` its MD5."""
    root = tmp_path_factory.mktemp("tiny_cifar")
    folder = root / cifar10.FOLDER
    folder.mkdir()
    rng = np.random.default_rng(1)
    for b, name in enumerate(cifar10.TRAIN_BATCHES):
        (folder / name).write_bytes(pickle.dumps(make_batch(b * PER_BATCH, 0, rng)))
    (folder / cifar10.TEST_BATCH).write_bytes(pickle.dumps(make_batch(0, 3, rng)))
    (folder / cifar10.META).write_bytes(pickle.dumps({"label_names": LABEL_NAMES, "num_vis": 3072}))
    archive = tmp_path_factory.mktemp("tiny_archive") / cifar10.ARCHIVE
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=cifar10.FOLDER)
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    return {"root": root, "archive": archive, "md5": md5, "url": archive.as_uri()}


# --------------------------------------------------------------------------- download


def test_default_dir_is_datasets_folder_or_env(monkeypatch, tmp_path):
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    assert cifar10.default_dir() == REPO / "data_scripts" / "datasets"
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path))
    assert cifar10.default_dir() == tmp_path


def test_download_file_url_verifies_and_places_archive(tiny, tmp_path):
    dest = tmp_path / "new" / "dir"
    path = cifar10.download(dest, url=tiny["url"], md5=tiny["md5"])
    assert path == dest / cifar10.ARCHIVE
    assert path.read_bytes() == tiny["archive"].read_bytes()
    assert os.listdir(dest) == [cifar10.ARCHIVE]  # no temporary file left behind


def test_second_download_does_nothing(tiny, tmp_path, capsys):
    path = cifar10.download(tmp_path, url=tiny["url"], md5=tiny["md5"])
    before = path.stat()
    again = cifar10.download(tmp_path, url=(tmp_path / "no-such-file").as_uri(), md5=tiny["md5"])
    after = again.stat()
    assert again == path
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert "not downloading" in capsys.readouterr().out


def test_download_replaces_corrupt_archive(tiny, tmp_path):
    (tmp_path / cifar10.ARCHIVE).write_bytes(b"truncated")
    path = cifar10.download(tmp_path, url=tiny["url"], md5=tiny["md5"])
    assert cifar10.file_md5(path) == tiny["md5"]


def test_download_wrong_md5_raises_and_leaves_nothing(tiny, tmp_path):
    with pytest.raises(cifar10.ChecksumError) as info:
        cifar10.download(tmp_path, url=tiny["url"], md5="0" * 32)
    assert "0" * 32 in str(info.value) and tiny["md5"] in str(info.value)  # expected and got
    assert os.listdir(tmp_path) == []


def test_download_missing_url_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        cifar10.download(tmp_path, url=(tmp_path / "absent.tar.gz").as_uri(), md5="0" * 32)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/cifar-10-python.tar.gz", "file:///no/such/cifar-10-python.tar.gz"],
                         ids=["offline", "missing"])
def test_a_failed_download_leaves_no_folder_it_created(tmp_path, url):
    """Offline, the default target (data_scripts/datasets, here under a missing parent) is not left
    behind empty; a folder that was already there stays."""
    target = tmp_path / "data_scripts" / "datasets"
    with pytest.raises(OSError):
        cifar10.download(target, url=url, md5="0" * 32)
    assert os.listdir(tmp_path) == []
    (tmp_path / "kept").mkdir()
    with pytest.raises(OSError):
        cifar10.download(tmp_path / "kept" / "datasets", url=url, md5="0" * 32)
    assert os.listdir(tmp_path) == ["kept"] and os.listdir(tmp_path / "kept") == []


def test_the_download_command_offline_says_so_and_leaves_no_datasets_folder(tmp_path):
    """`python -m data_scripts.cifar10` in a student's folder (its own copy of data_scripts, the
    default target data_scripts/datasets), with the network unreachable."""
    shutil.copytree(REPO / "data_scripts", tmp_path / "data_scripts", ignore=shutil.ignore_patterns("datasets", "__pycache__"))
    result = subprocess.run([sys.executable, "-m", "data_scripts.cifar10", "--url", "http://127.0.0.1:9/cifar-10-python.tar.gz"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k != "CIFAR10_DIR"})
    assert result.returncode == 1 and result.stderr.startswith("error: "), result.stderr
    left = {p.name for p in (tmp_path / "data_scripts").iterdir()} - {"__pycache__"}
    assert left == {p.name for p in (REPO / "data_scripts").iterdir()} - {"datasets", "__pycache__"}, left


# --------------------------------------------------------------------------- extract


def test_extract_places_all_files(tiny, tmp_path):
    folder = cifar10.extract(tiny["archive"], tmp_path)
    assert folder == tmp_path / cifar10.FOLDER
    for name in cifar10.EXPECTED_FILES:
        assert (folder / name).read_bytes() == (tiny["root"] / cifar10.FOLDER / name).read_bytes()
    assert sorted(os.listdir(tmp_path)) == [cifar10.FOLDER]  # temporary directory removed


def test_extract_is_idempotent(tiny, tmp_path):
    folder = cifar10.extract(tiny["archive"], tmp_path)
    stats = {name: (folder / name).stat() for name in cifar10.EXPECTED_FILES}
    # The archive need not even exist the second time: nothing is read or written.
    assert cifar10.extract(tmp_path / "gone.tar.gz", tmp_path) == folder
    for name, before in stats.items():
        after = (folder / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_extract_completes_a_partial_folder(tiny, tmp_path):
    partial = tmp_path / cifar10.FOLDER
    partial.mkdir()
    (partial / "data_batch_1").write_bytes(b"half-written")
    folder = cifar10.extract(tiny["archive"], tmp_path)
    assert cifar10.find_extracted(tmp_path) == folder
    assert (folder / "data_batch_1").read_bytes() == (tiny["root"] / cifar10.FOLDER / "data_batch_1").read_bytes()


def _archive_with(tmp_path: Path, member: tarfile.TarInfo, payload: bytes = b"x") -> Path:
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        good = tarfile.TarInfo(f"{cifar10.FOLDER}/data_batch_1")
        good.size = 1
        tar.addfile(good, io.BytesIO(b"x"))
        member.size = len(payload) if member.isfile() else 0
        tar.addfile(member, io.BytesIO(payload) if member.isfile() else None)
    return archive


@pytest.mark.parametrize("name", ["../evil", f"{cifar10.FOLDER}/../../evil", "/tmp/evil", "elsewhere/evil"])
def test_extract_refuses_members_escaping_the_folder(tmp_path, name):
    archive = _archive_with(tmp_path, tarfile.TarInfo(name))
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(cifar10.UnsafeArchiveError, match="evil"):
        cifar10.extract(archive, dest)
    assert os.listdir(dest) == []  # nothing extracted, no temporary directory left
    assert not (tmp_path / "evil").exists()


def test_extract_refuses_links(tmp_path):
    link = tarfile.TarInfo(f"{cifar10.FOLDER}/test_batch")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    archive = _archive_with(tmp_path, link)
    dest = tmp_path / "dest"
    with pytest.raises(cifar10.UnsafeArchiveError, match="test_batch"):
        cifar10.extract(archive, dest)
    assert not (dest / cifar10.FOLDER).exists()


# --------------------------------------------------------------------------- load


def test_load_batch_pixel_layout_and_dtypes(tiny):
    X, y = cifar10.load_batch(tiny["root"] / cifar10.FOLDER / "data_batch_1")
    assert X.shape == (PER_BATCH, 32, 32, 3) and X.dtype == np.float64
    assert y.shape == (PER_BATCH,) and y.dtype == np.int64
    planar = layout_image()
    for row, col, channel in [(0, 0, 0), (0, 1, 0), (1, 0, 0), (5, 9, 1), (31, 2, 2), (3, 30, 1)]:
        assert X[0, row, col, channel] == planar[channel, row, col]
    np.testing.assert_array_equal(X[0], planar.transpose(1, 2, 0))
    np.testing.assert_array_equal(y, np.arange(PER_BATCH) % 10)


def test_load_cifar10_shapes_dtypes_and_splits(tiny):
    data = cifar10.load_cifar10(tiny["root"], num_training=70, num_validation=20, num_test=15, num_dev=10, seed=3)
    assert data["name"] == "cifar10"
    assert data["class_names"] == LABEL_NAMES
    for split, n in [("train", 70), ("val", 20), ("test", 15), ("dev", 10)]:
        X, y = data[f"X_{split}"], data[f"y_{split}"]
        assert X.shape == (n, 32, 32, 3) and X.dtype == np.float64
        assert y.shape == (n,) and y.dtype == np.int64
        assert 0 <= X.min() and X.max() <= 255
    # Red pixel (0, 0) holds each image's index: train is rows 0..69, val 70..89 of the 100.
    np.testing.assert_array_equal(data["X_train"][:, 0, 0, 0], np.arange(70))
    np.testing.assert_array_equal(data["X_val"][:, 0, 0, 0], np.arange(70, 90))
    np.testing.assert_array_equal(data["y_val"], np.arange(70, 90) % 10)
    np.testing.assert_array_equal(data["X_test"][:, 0, 0, 0], np.arange(15))
    np.testing.assert_array_equal(data["y_test"], (np.arange(15) + 3) % 10)
    np.testing.assert_array_equal(data["X_train"][0], layout_image().transpose(1, 2, 0))


def test_load_cifar10_dev_rows_are_distinct_training_rows(tiny):
    # 30 of 40 rows: drawing with replacement would almost surely repeat one.
    sizes = dict(num_training=40, num_validation=10, num_test=5, num_dev=30)
    data = cifar10.load_cifar10(tiny["root"], **sizes, seed=0)
    rows = data["X_dev"][:, 0, 0, 0].astype(int)
    assert len(set(rows)) == 30 and rows.max() < 40
    np.testing.assert_array_equal(data["X_dev"], data["X_train"][rows])
    np.testing.assert_array_equal(data["y_dev"], data["y_train"][rows])
    again = cifar10.load_cifar10(tiny["root"], **sizes, seed=0)
    np.testing.assert_array_equal(again["X_dev"], data["X_dev"])
    other = cifar10.load_cifar10(tiny["root"], **sizes, seed=1)
    assert not np.array_equal(other["X_dev"], data["X_dev"])


def test_load_cifar10_accepts_the_batches_folder_itself(tiny):
    data = cifar10.load_cifar10(tiny["root"] / cifar10.FOLDER, num_training=10, num_validation=5, num_test=5, num_dev=5)
    assert data["X_train"].shape == (10, 32, 32, 3)


def test_load_cifar10_rejects_splits_larger_than_the_data(tiny):
    with pytest.raises(ValueError, match="100 training images"):
        cifar10.load_cifar10(tiny["root"], num_training=95, num_validation=10, num_test=5, num_dev=5)
    with pytest.raises(ValueError, match="20 test images"):
        cifar10.load_cifar10(tiny["root"], num_training=50, num_validation=10, num_test=21, num_dev=5)
    with pytest.raises(ValueError, match="num_dev"):
        cifar10.load_cifar10(tiny["root"], num_training=5, num_validation=10, num_test=5, num_dev=6)
    with pytest.raises(ValueError):  # the standard sizes do not fit a tiny archive
        cifar10.load_cifar10(tiny["root"])


def test_load_cifar10_missing_files_name_the_download_command(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python -m data_scripts\.cifar10"):
        cifar10.load_cifar10(tmp_path)


# --------------------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_scripts.cifar10", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_downloads_extracts_then_does_nothing(tiny, tmp_path):
    first = run_cli("--dir", str(tmp_path), "--url", tiny["url"], "--md5", tiny["md5"])
    assert first.returncode == 0, first.stderr
    assert "nothing to do" not in first.stdout
    assert "Warning" not in first.stderr  # e.g. runpy's double-import warning
    assert cifar10.find_extracted(tmp_path) == tmp_path / cifar10.FOLDER
    assert cifar10.file_md5(tmp_path / cifar10.ARCHIVE) == tiny["md5"]

    second = run_cli("--dir", str(tmp_path), "--url", (tmp_path / "invalid").as_uri(), "--md5", tiny["md5"])
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout


def test_cli_fails_with_a_clear_message_on_bad_md5(tiny, tmp_path):
    result = run_cli("--dir", str(tmp_path), "--url", tiny["url"])  # default MD5 is the real archive's
    assert result.returncode != 0
    assert "MD5 mismatch" in result.stderr and cifar10.MD5 in result.stderr
    assert not (tmp_path / cifar10.ARCHIVE).exists()


# --------------------------------------------------------------------------- digits


def _rows_with_labels(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Rows of [flattened image, label], sorted, to compare multisets of examples."""
    table = np.hstack([X.reshape(len(X), -1), y[:, None]])
    return table[np.lexsort(table.T[::-1])]


@pytest.fixture(scope="module")
def digits():
    return load_digits_dataset()


def test_digits_sizes_shapes_dtypes_and_range(digits):
    assert digits["name"] == "digits"
    assert digits["class_names"] == [str(d) for d in range(10)]
    for split, n in [("train", 1297), ("val", 200), ("test", 300), ("dev", 200)]:
        X, y = digits[f"X_{split}"], digits[f"y_{split}"]
        assert X.shape == (n, 8, 8, 1) and X.dtype == np.float64
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() >= 0 and X.max() <= 255
    assert digits["X_train"].max() == 255  # rescaled from 0..16, not left at 0..16
    assert set(np.unique(digits["y_train"])) == set(range(10))


def test_digits_splits_are_disjoint_and_cover_all_rows(digits):
    bunch = load_digits()
    original = _rows_with_labels(bunch.images * 255 / 16, bunch.target)
    parts = [(digits[f"X_{s}"], digits[f"y_{s}"]) for s in ("train", "val", "test")]
    combined = _rows_with_labels(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    np.testing.assert_allclose(combined, original)  # same multiset of 1797 rows: a partition


def test_digits_dev_rows_are_training_rows(digits):
    train = {tuple(row) for row in _rows_with_labels(digits["X_train"], digits["y_train"])}
    dev = _rows_with_labels(digits["X_dev"], digits["y_dev"])
    assert all(tuple(row) in train for row in dev)


def test_digits_deterministic_for_a_seed(digits):
    again = load_digits_dataset(seed=0)
    other = load_digits_dataset(seed=1)
    for key in ("X_train", "y_train", "X_val", "X_test", "X_dev"):
        np.testing.assert_array_equal(again[key], digits[key])
    assert not np.array_equal(other["X_test"], digits["X_test"])


# --------------------------------------------------------------------------- preprocess, load_dataset, describe


def test_preprocess_shapes_bias_and_centering(digits):
    prepared = preprocess(digits)
    for split, n in [("train", 1297), ("val", 200), ("test", 300), ("dev", 200)]:
        X = prepared[f"X_{split}"]
        assert X.shape == (n, 65) and X.dtype == np.float64
        np.testing.assert_array_equal(X[:, -1], 1.0)
        np.testing.assert_array_equal(prepared[f"y_{split}"], digits[f"y_{split}"])
    np.testing.assert_allclose(prepared["X_train"][:, :-1].mean(axis=0), 0.0, atol=1e-9)
    assert prepared["mean_image"].shape == (8, 8, 1)
    np.testing.assert_allclose(prepared["mean_image"], digits["X_train"].mean(axis=0))
    np.testing.assert_allclose(
        prepared["X_val"][:, :-1], digits["X_val"].reshape(200, -1) - digits["X_train"].reshape(1297, -1).mean(axis=0)
    )
    assert prepared["name"] == "digits" and prepared["class_names"] == digits["class_names"]


def test_preprocess_is_pure_and_repeatable(digits):
    before = copy.deepcopy(digits)
    first = preprocess(digits)
    second = preprocess(digits)
    assert digits.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(digits[key], value)
    assert first.keys() == second.keys() == set(digits) | {"mean_image"}
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    first["y_train"][:] = -1  # the result shares no memory with the input
    first["class_names"].append("extra")
    np.testing.assert_array_equal(digits["y_train"], before["y_train"])
    assert digits["class_names"] == before["class_names"]


def test_preprocess_refuses_already_preprocessed_data(digits):
    with pytest.raises(ValueError, match="already preprocessed"):
        preprocess(preprocess(digits))


def test_load_dataset_picks_digits_without_cifar(tmp_path):
    data = load_dataset(cifar_dir=tmp_path)
    assert data["name"] == "digits"
    assert data["X_train"].shape == (1297, 8, 8, 1)


def test_load_dataset_picks_cifar10_when_extracted(tiny):
    data = load_dataset(cifar_dir=tiny["root"])
    assert data["name"] == "cifar10"
    # The standard proportions scaled to 100 training and 20 test images.
    assert [len(data[f"X_{s}"]) for s in ("train", "val", "test", "dev")] == [98, 2, 2, 1]
    assert data["X_train"].shape[1:] == (32, 32, 3)
    assert preprocess(data)["X_train"].shape == (98, 3073)


def test_load_dataset_explicit_names(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python -m data_scripts\.cifar10"):
        load_dataset("cifar10", cifar_dir=tmp_path)
    with pytest.raises(ValueError, match="mnist"):
        load_dataset("mnist")
    assert load_dataset("digits", cifar_dir=tmp_path)["name"] == "digits"


def test_describe(digits, tiny):
    line = "dataset: digits (embedded scikit-learn digits, 8x8x1) train 1297, val 200, test 300, dev 200"
    assert describe(digits) == line
    assert describe(preprocess(digits)) == line
    cifar = cifar10.load_cifar10(tiny["root"], num_training=70, num_validation=20, num_test=15, num_dev=10)
    assert describe(cifar) == "dataset: cifar10 (CIFAR-10, 32x32x3) train 70, val 20, test 15, dev 10"
