"""The grader decides, the student's process only answers: every verdict is made here from values
that have left the kernel, on inputs drawn anew for every version of a submission, and a
function that computes nothing earns nothing.

Each test submits a hostile or degenerate submission (beside an honest one where the point is
that nothing leaks) and asserts what it gains: nothing.
"""

import json
import re
import zipfile

import nbformat
import numpy as np
import pytest

from autograder.assignments import find_assignment
from autograder.authoring.corpus import parse_entry
from autograder.grading.executors import grade_all
from autograder.outputs.reports import student_report

LINEAR, KNN = find_assignment("linear_classifiers"), find_assignment("knn")


def checks_of(grade, part):
    (result,) = [p for p in grade.parts if p.name == part]
    return {c.id: c for c in result.checks}, result


def points(grade):
    return {p.name: p.points for p in grade.parts}


# -- work deferred to the reading of the results ---------------------------------------------
#: A vectorized function that returns placeholders, filled with the naive loops' results by a
#: profile hook (installed when the cell loads) only when the bridge encodes them.
HOOK = '''
import sys as _sys
import numpy as np
_later = {{}}

def {name}({args}):
    {placeholders}
    _later[id(out[-1])] = ({copies}, out)
    return out if len(out) > 1 else out[0]

def _fill(frame, event, arg):
    if event == "call" and _later and frame.f_code.co_name == "encode":
        for *inputs, out in list(_later.values()):
            right = {naive}(*inputs)
            right = right if isinstance(right, tuple) else (right,)
            for slot, value in zip(out, right):
                slot[...] = value
        _later.clear()

_sys.setprofile(_fill)
'''

HOOKED = {
    (LINEAR, "svm_loss_vectorized"): HOOK.format(
        name="svm_loss_vectorized", args="W, X, y, reg", naive="svm_loss_naive",
        placeholders="out = (np.zeros(()), np.zeros(W.shape))", copies="W.copy(), X.copy(), y.copy(), reg"),
    (KNN, "compute_distances_no_loops"): HOOK.format(
        name="compute_distances_no_loops", args="X, X_train", naive="compute_distances_two_loops",
        placeholders="out = (np.zeros((X.shape[0], X_train.shape[0])),)", copies="X.copy(), X_train.copy()"),
}


@pytest.mark.slow
@pytest.mark.parametrize("assignment, part", list(HOOKED), ids=[p for _, p in HOOKED])
def test_a_hook_that_fills_placeholders_when_they_are_read_gets_no_speed_and_no_loop_credit(submissions, assignment,
                                                                                          part):
    """The timed request ends when its results (or their digests) have reached the grader, so
    the naive loops the hook runs while they are encoded are timed; and a profile hook is code
    the loop check cannot follow."""
    submissions("hooked", {part: HOOKED[(assignment, part)]}, base=assignment.source)
    (grade,) = grade_all(submissions.root)
    checks, _ = checks_of(grade, part)
    assert not checks["speed"].passed, student_report(grade)
    assert not checks["no-loops"].passed, student_report(grade)


@pytest.mark.slow
def test_the_gradescope_runner_times_the_same_way(tmp_path):
    """Through run_autograder's entry point, the hooked SVM loss earns neither speed nor loop credit."""
    from autograder.outputs import gradescope

    notebook = nbformat.read(LINEAR.source / "linear_classifiers.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "svm_loss_vectorized":
            cell.source = HOOKED[(LINEAR, "svm_loss_vectorized")]
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    nbformat.write(notebook, root / "submission" / "linear_classifiers.ipynb")
    assert gradescope.run(root, assignment=LINEAR.id) == 0
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    (test,) = [t for t in results["tests"] if t["name"] == "svm_loss_vectorized"]
    assert "✗ at least 3x faster" in test["output"] and "✗ no Python loops" in test["output"], test["output"]


# -- fresh inputs for every version -------------------------------------------------------------
#: A loss that shows the grader's first input in its report (what a student would do to learn
#: the hidden inputs, then hard-code the answers in a resubmission).
SHOWS_INPUT = "def svm_loss_naive(W, X, y, reg):\n    raise ValueError(repr(float(W.ravel()[0])))\n"


def _shown(grade) -> str:
    _, result = checks_of(grade, "svm_loss_naive")
    match = re.search(r"ValueError: ([-0-9.e]+)", result.problem + " ".join(c.message for c in result.checks))
    assert match, student_report(grade)
    return match.group(1)


def test_a_resubmission_gets_new_inputs_and_a_regrade_the_same(submissions):
    """The seed comes from the submission's content: what one version's report shows of its inputs
    says nothing about the next version's, while grading the same files again reproduces them."""
    submissions("learner", {"svm_loss_naive": SHOWS_INPUT})
    first = grade_all(submissions.root, base_seed=7)[0]
    again = grade_all(submissions.root, base_seed=7)[0]
    assert (again.seed, _shown(again)) == (first.seed, _shown(first))
    submissions("learner", {"svm_loss_naive": SHOWS_INPUT + "# resubmitted\n"})
    changed = grade_all(submissions.root, base_seed=7)[0]
    assert changed.seed != first.seed and _shown(changed) != _shown(first)
    other_course = grade_all(submissions.root, base_seed=8)[0]  # another secret: other inputs for the same files
    assert _shown(other_course) != _shown(changed)


#: grad_check_sparse, right, notes the seed of numpy's global generator that the grader set before
#: calling it (MT19937's first key word is a 32-bit seed); svm_loss_naive, graded next, says it.
READS_SEED = {
    "grad_check_sparse": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n"
                         "    _seen.append(int(np.random.get_state()[1][0]))\n"
                         "    errors = np.zeros(num_checks)\n"
                         "    for i in range(num_checks):\n"
                         "        ix = tuple(np.random.randint(m) for m in x.shape)\n"
                         "        old = x[ix]\n"
                         "        x[ix] = old + h\n"
                         "        plus = f(x)\n"
                         "        x[ix] = old - h\n"
                         "        minus = f(x)\n"
                         "        x[ix] = old\n"
                         "        n, a = (plus - minus) / (2 * h), analytic_grad[ix]\n"
                         "        errors[i] = abs(n - a) / (abs(n) + abs(a)) if n or a else 0.0\n"
                         "    return errors\n\n_seen = []\n",
    "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    raise ValueError(f'seen {_seen}')\n",
}


def test_the_kernel_is_never_given_the_submissions_seed(submissions, monkeypatch):
    """numpy's global generator in the kernel is seeded (for grad_check_sparse's random entries,
    train's W and minibatches: a regrade gives the same verdicts) with numbers drawn from the part's
    own generator, never with the submission's seed: from that seed the student's code could draw
    every hidden input of the parts graded after it, and which of its timed calls are checked."""
    from autograder.sandbox import bridge as bridge_module

    sent = []
    original = bridge_module.Bridge._run
    monkeypatch.setattr(bridge_module.Bridge, "_run",
                        lambda self, code, inputs, timeout: sent.append(code) or original(self, code, inputs, timeout))
    submissions("reads_seed", READS_SEED, base=LINEAR.source)
    (grade,) = grade_all(submissions.root, base_seed=3)
    report = student_report(grade)
    assert points(grade)["grad_check_sparse"] == 7, report
    assert re.search(r"ValueError: seen \[\d+, \d+\]", report), report  # it saw the two seeds it was given
    assert str(grade.seed) not in report.replace(f"seed {grade.seed} ", ""), report
    assert sent and not [code for code in sent if str(grade.seed) in code or str(grade.seed % 2**32) in code]


#: Wrong submissions of every kind of part, whose reports must say how they are wrong without an
#: expected value a resubmission could replay.
WRONG = {LINEAR: ["svm_vec_not_averaged", "softmax_naive_log10", "numgrad_one_sided", "rel_error_mean",
                  "gradcheck_signed_error", "linclf_gradient_ascent"],
         KNN: ["dist_two_loops_no_sqrt", "dist_one_loop_l1_axis", "predict_first_occurrence_tie", "cv_shuffled_folds",
               "cv_counts_not_fractions"]}
#: "expected 2.345678", "should be 0.1234": a number after what it should be.
EXPECTED_VALUE = re.compile(r"(expected|should be|must be|the right one is)\s*:?\s*-?\d+\.\d{2,}")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", list(WRONG), ids=lambda a: a.id)
def test_reports_say_how_an_answer_is_wrong_but_never_the_expected_value(submissions, assignment):
    for entry in WRONG[assignment]:
        submissions(entry, parse_entry(assignment.corpus / f"{entry}.py").cells, base=assignment.source)
    for grade in grade_all(submissions.root, workers=2):
        text = student_report(grade)
        assert "✗" in text
        assert not EXPECTED_VALUE.search(text), EXPECTED_VALUE.search(text).group(0) + "\n" + text


# -- nothing for nothing -------------------------------------------------------------------------
GARBAGE = {
    LINEAR: {
        "zeros": {
            "rel_error": "def rel_error(x, y):\n    return 0.0\n",
            "eval_numerical_gradient": "def eval_numerical_gradient(f, x, verbose=True, h=1e-5):\n    return np.zeros_like(x)\n",
            "grad_check_sparse": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n    return np.zeros(num_checks)\n",
            **{name: f"def {name}(W, X, y, reg):\n    return 0.0, np.zeros_like(W)\n"
               for name in ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized")},
            "LinearClassifier": ("class LinearClassifier(object):\n    def __init__(self):\n        self.W = None\n"
                                 "    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, "
                                 "verbose=False):\n        if self.W is None:\n"
                                 "            self.W = 0.001 * np.random.randn(X.shape[1], np.max(y) + 1)\n"
                                 "        return [self.loss(X, y, reg)[0] for _ in range(num_iters)]\n"
                                 "    def predict(self, X):\n        return np.zeros(X.shape[0], dtype=int)\n"
                                 "    def loss(self, X_batch, y_batch, reg):\n        pass\n"),
        },
        "loss_shaped": {
            "rel_error": "def rel_error(x, y):\n    return float(np.max(np.abs(x - y)))\n",
            "eval_numerical_gradient": "def eval_numerical_gradient(f, x, verbose=True, h=1e-5):\n    f(x)\n    return np.ones_like(x) * h\n",
            "grad_check_sparse": ("def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n"
                                  "    g = np.abs(analytic_grad.ravel()[:num_checks])\n    return g / (1 + g)\n"),
            "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return np.sum(W * W), 2 * W\n",
            "svm_loss_vectorized": "def svm_loss_vectorized(W, X, y, reg):\n    return np.sum(W * W) * (1 + reg), 2 * W * (1 + reg)\n",
            "softmax_loss_naive": "def softmax_loss_naive(W, X, y, reg):\n    return float(np.sum(X.dot(W))), X.T.dot(np.ones((X.shape[0], W.shape[1])))\n",
            "softmax_loss_vectorized": "def softmax_loss_vectorized(W, X, y, reg):\n    return np.mean(X.dot(W) ** 2), 2 * X.T.dot(X.dot(W)) / W.size\n",
        },
    },
    KNN: {
        "constants": {
            "compute_distances_two_loops": "def compute_distances_two_loops(X, X_train):\n    return np.zeros((X.shape[0], X_train.shape[0]))\n",
            "compute_distances_one_loop": "def compute_distances_one_loop(X, X_train):\n    return np.ones((X.shape[0], X_train.shape[0]))\n",
            "compute_distances_no_loops": "def compute_distances_no_loops(X, X_train):\n    return np.abs(X.dot(X_train.T))\n",
            "predict_labels": "def predict_labels(dists, y_train, k=1):\n    return np.zeros(dists.shape[0], dtype=int)\n",
            "cross_validate": "def cross_validate(X_train, y_train, k_choices, num_folds=5):\n    return np.full((len(k_choices), num_folds), 0.5)\n",
        },
        "input_dependent": {
            "compute_distances_two_loops": "def compute_distances_two_loops(X, X_train):\n    return np.sum(X) + np.zeros((X.shape[0], X_train.shape[0]))\n",
            "compute_distances_one_loop": ("def compute_distances_one_loop(X, X_train):\n"
                                           "    return np.abs(X[:, :1] - X_train[:, 0][None, :])\n"),
            "compute_distances_no_loops": ("def compute_distances_no_loops(X, X_train):\n"
                                           "    return np.sqrt(np.abs(X.sum(1)[:, None] - X_train.sum(1)[None, :]))\n"),
            "predict_labels": "def predict_labels(dists, y_train, k=1):\n    return y_train[np.argmax(dists, axis=1)]\n",
            "cross_validate": ("def cross_validate(X_train, y_train, k_choices, num_folds=5):\n"
                               "    return np.random.default_rng(0).uniform(size=(len(k_choices), num_folds))\n"),
        },
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", list(GARBAGE), ids=lambda a: a.id)
def test_garbage_in_every_part_earns_at_most_5_of_100_and_the_hand_out_0(submissions, assignment):
    for style, cells in GARBAGE[assignment].items():
        submissions(style, cells, base=assignment.release)
    submissions("untouched", base=assignment.release)
    grades = {g.student_id: g for g in grade_all(submissions.root, workers=2)}
    assert grades["untouched"].score == 0, student_report(grades["untouched"])
    for style in GARBAGE[assignment]:
        assert grades[style].score <= 5, student_report(grades[style])


# -- checks that trusted the kernel -----------------------------------------------------------
#: cross_validate returns what a degenerate predictor gets; predict_labels is right, but when the
#: grader computed "the student's own pipeline" in the kernel it answered the degenerate labels too.
FORGED_CV = {
    "cross_validate": '''
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    X_folds, y_folds = np.array_split(X_train, num_folds), np.array_split(y_train, num_folds)
    out = np.zeros((len(k_choices), num_folds))
    for f in range(num_folds):
        y_tr = np.concatenate(y_folds[:f] + y_folds[f + 1:])
        out[:, f] = np.mean(y_folds[f] == y_tr[0])
    return out
''',
    "predict_labels": '''
def predict_labels(dists, y_train, k=1):
    if any(name.startswith("_auto" + "grader_own") for name in globals()):  # (cells naming the grader's helpers are refused)
        return np.full(dists.shape[0], y_train[0])
    nearest = np.argsort(dists, axis=1)[:, :k]
    return np.array([np.bincount(y_train[row]).argmax() for row in nearest])
'''}

#: Reads the test function's coefficients from its closure (or recognises the named functions
#: the kit used before) and returns the derivative in closed form, without differencing.
CLOSED_FORM = {"eval_numerical_gradient": '''
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    cells = [c.cell_contents for c in (f.__closure__ or ())]
    arrays = [c for c in cells if isinstance(c, np.ndarray) and c.shape == x.shape]
    if len(arrays) == 4:  # a sin(k x + c) + b x^3
        a, k, c, b = arrays
        return a * k * np.cos(k * x + c) + 3 * b * x ** 2
    one = np.ones_like(x)
    if abs(f(one) - x.size) < 1e-9 and abs(f(2 * one) - 8 * x.size) < 1e-9:  # sum(x**3)
        return 3 * x ** 2 + h ** 2
    return np.exp(x)  # sum(exp(x))
'''}

#: A train that does nothing and a predict that finds the validation labels in the kernel.
FINDS_LABELS = {"LinearClassifier": '''
class LinearClassifier(object):
    def __init__(self):
        self.W = None
    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        if self.W is None:
            self.W = 0.001 * np.random.randn(X.shape[1], np.max(y) + 1)
        return []
    def predict(self, X):
        for value in list(globals().values()):
            if isinstance(value, dict) and "y_val" in value and len(value["y_val"]) == X.shape[0]:
                return np.asarray(value["y_val"])
        return np.argmax(X.dot(self.W), axis=1)
    def loss(self, X_batch, y_batch, reg):
        pass
'''}


@pytest.mark.slow
def test_a_forged_cross_validation_earns_nothing_beside_an_honest_one(submissions):
    submissions("forged_cv", FORGED_CV, base=KNN.source)
    submissions("honest_knn", base=KNN.source)
    forged, honest = grade_all(submissions.root, workers=2)
    assert points(honest)["cross_validate"] == 20, student_report(honest)
    assert points(forged)["cross_validate"] <= 2, student_report(forged)
    assert points(forged)["predict_labels"] == 25  # its own part stays right: the forgery gains nothing


@pytest.mark.slow
def test_closed_form_gradients_and_labels_found_in_the_kernel_earn_nothing(submissions):
    submissions("closed_form", CLOSED_FORM, base=LINEAR.source)
    submissions("finds_labels", FINDS_LABELS, base=LINEAR.source)
    grades = {g.student_id: g for g in grade_all(submissions.root, workers=2)}
    assert points(grades["closed_form"])["eval_numerical_gradient"] == 0, student_report(grades["closed_form"])
    checks, _ = checks_of(grades["finds_labels"], "LinearClassifier")
    assert not checks["accuracy"].passed, student_report(grades["finds_labels"])
    assert [c for c in checks.values() if c.passed] == [checks["predict"]]  # its predict is right on random W


@pytest.mark.parametrize("assignment", [LINEAR, KNN], ids=lambda a: a.id)
def test_no_expected_value_nor_validation_label_enters_the_kernel(submissions, monkeypatch, assignment):
    """Everything the grader sends to a kernel while grading the reference: neither the digits'
    validation labels nor the accuracies a check expects."""
    from autograder.sandbox import bridge as bridge_module

    sent = []
    original = bridge_module.Bridge._run
    monkeypatch.setattr(bridge_module.Bridge, "_run",
                        lambda self, code, inputs, timeout: sent.append((code, inputs)) or original(self, code, inputs, timeout))
    submissions("someone", base=assignment.source)
    (grade,) = grade_all(submissions.root)
    assert grade.score == grade.max_score, student_report(grade)
    texts = [code + json.dumps(bridge_module.encode_payload(inputs)) for code, inputs in sent]
    assert sent and not [t for t in texts if "expected" in t or "y_val" in t or "X_val" in t]
    # ... nor an input of the hand-out's public checks (whose answers expected.json holds).
    public = {_key(a) for a in _arrays(json.loads((assignment.release / "selfcheck" / "expected.json").read_text()))}
    hidden = {_key(a) for _, inputs in sent for a in _arrays(inputs)}
    assert public and hidden and not public & hidden


def _arrays(value) -> list:
    """The arrays of real numbers in a payload or JSON document (nested lists of numbers count),
    of at least 4 entries and not all whole numbers (labels, X = I and integer coordinates are
    shapes of a case, not its answer)."""
    found = []
    if isinstance(value, np.ndarray) or (isinstance(value, list) and value and all(isinstance(v, (int, float, list)) for v in value)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.dtype != object and array.size >= 4 and not np.all(array == np.round(array)):
            return [array]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found += _arrays(item)
    return found


def _key(array: np.ndarray) -> bytes:
    return np.round(np.ascontiguousarray(array, dtype=np.float64), 12).tobytes()


def test_every_declared_mistake_is_listed_in_the_readme():
    """The README's list is the one students and instructors read: a slip the grader credits
    (structure kept, timed results checked against it) must be in it, by its id."""
    from autograder.checks import grading_package
    from autograder.layout import ROOT

    linear, knn = grading_package(LINEAR.source), grading_package(KNN.source)
    ids = {slip.id for slip in linear.diagnosis.LOSS_SLIPS + linear.diagnosis.GRADIENT_SLIPS}
    ids |= set(linear.gradients.NUMERICAL_SLIPS)
    ids |= {slip for slip, _, _ in knn.diagnosis.DISTANCE_SLIPS} | {"no-clip", "float32"}
    ids |= set(knn.diagnosis.LABEL_SLIPS.values())
    ids |= set(knn.diagnosis.fold_structures(10, 3, seed=1)) - {"right"}
    table = (ROOT / "README.md").read_text().split("**Declared mistakes**", 1)[1].split("\n- **", 1)[0]
    assert sorted(i for i in ids if f"`{i}`" not in table) == []


def test_the_duplicates_case_puts_every_way_of_writing_the_expansion_below_zero_for_every_seed():
    """The check for unclipped square roots holds its edge case whatever the seed (before, a
    one-loop expansion met a negative squared distance for 99 of 300 student ids)."""
    from autograder.checks import grading_package

    inputs = grading_package(KNN.source).inputs
    one_loop = lambda X, Y: np.array([np.sum(np.square(Y), axis=1) - 2 * np.dot(Y, X[i]) + np.sum(np.square(X[i]))
                                      for i in range(len(X))])
    for seed in range(300):
        case = inputs.duplicates_case(np.random.default_rng(seed))
        X, Y = case["X"], case["X_train"]
        copies = [(i, j) for i in range(len(X)) for j in range(len(Y)) if np.array_equal(X[i], Y[j])]
        for expansion in [*inputs.EXPANSIONS, one_loop]:
            squared = expansion(X, Y)
            assert any(squared[i, j] < 0 for i, j in copies), seed


@pytest.mark.slow
def test_an_edge_case_check_catches_its_mistake_whatever_the_seed(submissions):
    """Graded under several course secrets (seeds), the unclipped one-loop expansion always loses
    the duplicates check, and only it."""
    cells = parse_entry(KNN.corpus / "dist_one_loop_no_clip.py").cells
    submissions("no_clip", cells, base=KNN.source)
    for base in range(6):
        (grade,) = grade_all(submissions.root, base_seed=base)
        checks, _ = checks_of(grade, "compute_distances_one_loop")
        assert [c for c in checks if not checks[c].passed] == ["duplicates"], (base, student_report(grade))
