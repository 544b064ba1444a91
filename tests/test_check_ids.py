"""Checks are known by stable ids, declared once per part; titles are only words for students.

Gating ("not awarded" unless another check passed), the corpus's expectations and stored grades
all refer to ids, so a TA may reword any title without changing a single grade, and a check a
part does not declare stops the grader instead of being scored.
"""

import dataclasses

import pytest

from autograder import checks
from autograder.authoring.corpus import Entry, parse_entry, verdicts
from autograder.checks import Check, CheckResult, ChecksMismatch, PartChecks, checks_for
from autograder.grading.executors import grade_all
from autograder.grading.scoring import GRADER_FAILED, PartResult, StudentGrade
from autograder.parts import load_parts
from linear import SOLUTIONS

PARTS = load_parts(SOLUTIONS)


def test_every_declared_check_has_a_well_formed_id_unique_within_its_part():
    for source in sorted(SOLUTIONS.parent.iterdir()):
        if (source / "grading" / "__init__.py").is_file():
            for part, declared in checks.load_all(source).items():
                assert declared.declared, f"{source.name}: {part} declares no checks"
                for check_id, check in declared.declared.items():
                    assert check_id == check.id and checks.CHECK_ID.fullmatch(check_id), (part, check_id)


def test_a_malformed_id_or_one_declared_twice_is_refused_when_the_checks_load():
    with pytest.raises(ValueError, match="lower-case words joined by hyphens"):
        Check("Random Loss", "loss on random inputs", 1)
    with pytest.raises(ChecksMismatch, match="repeat an id"):
        checks_for("some_part", checks=[Check("shape", "a", 1), Check("shape", "b", 1)], core=[])(lambda ctx, name: [])
    with pytest.raises(ChecksMismatch, match="declares no core check"):
        checks_for("some_part", checks=[Check("shape", "a", 1)], core=[Check("values", "b", 1)])(lambda ctx, name: [])


def test_a_part_whose_checks_return_an_undeclared_or_repeated_id_is_refused():
    shape, values = Check("shape", "the shape", 1), Check("values", "the values", 2)
    undeclared = PartChecks("f", lambda ctx, name: [shape.ok(), Check("other", "?", 1).ok()], {"shape": shape})
    with pytest.raises(ChecksMismatch, match=r"undeclared check ids \['other'\]"):
        undeclared(None)
    twice = PartChecks("f", lambda ctx, name: [shape.ok(), shape.fail("no")], {"shape": shape, "values": values})
    with pytest.raises(ChecksMismatch, match=r"check ids \['shape'\] twice"):
        twice(None)
    fine = PartChecks("f", lambda ctx, name: [values.fail("off by one"), shape.ok()], {"shape": shape, "values": values})
    assert [(r.id, r.passed, r.message) for r in fine(None)] == [("values", False, "off by one"), ("shape", True, "")]


def test_nothing_for_nothing_a_part_none_of_whose_core_checks_pass_keeps_no_credit_unless_a_declared_slip_explains_it():
    """A shape (or no loops, or restoring x) is credit only for a function that computes its
    result: one of the core checks passes, or a failed one's values are a declared mistake."""
    shape, values, more = Check("shape", "the shape", 1), Check("values", "the values", 2), Check("more", "more values", 1)
    declared = {"shape": shape, "values": values, "more": more}

    def grade(*results):
        return {r.id: (r.passed, r.message) for r in PartChecks("f", lambda ctx, name: list(results), declared,
                                                                 frozenset({"values", "more"}))(None)}

    garbage = grade(shape.ok(), values.fail("wrong"), more.fail("wrong"))
    assert garbage["shape"][0] is False and garbage["shape"][1].startswith("not awarded: f does not compute its result")
    assert garbage["values"] == (False, "wrong")  # a failure keeps its own reason
    slip = grade(shape.ok(), values.fail("N times too large", slip="not-averaged"), more.fail("wrong"))
    assert slip["shape"] == (True, "")
    half = grade(shape.ok(), values.fail("wrong"), more.ok())
    assert half["shape"] == (True, "")


def test_a_passed_check_keeps_no_message_and_a_result_carries_id_title_and_weight():
    check = Check("random-loss", "loss on random inputs", 3)
    assert check.result(True, "never shown") == CheckResult("random-loss", "loss on random inputs", 3.0, True, "")
    assert check.fail("off") == CheckResult("random-loss", "loss on random inputs", 3.0, False, "off")


def test_the_corpus_names_checks_by_id_and_an_unknown_id_is_a_mismatch(tmp_path):
    path = tmp_path / "entry.py"
    path.write_text("# A made-up entry.\n# expect-lose: svm_loss_vectorized\n"
                    "# expect-fail: svm_loss_vectorized: no-loops\n# expect-pass: svm_loss_vectorized: random-loss\n"
                    "# expect-pass: svm_loss_vectorized: no-such-check\n# %% svm_loss_vectorized\npass\n")
    entry = parse_entry(path)
    assert entry.checks == [("svm_loss_vectorized", "no-loops", False), ("svm_loss_vectorized", "random-loss", True),
                            ("svm_loss_vectorized", "no-such-check", True)]
    declared = checks.load_all(SOLUTIONS)
    made = {c.id: c for c in declared["svm_loss_vectorized"].declared.values()}
    grade = StudentGrade("x", 1, [PartResult(p.name, p.points, [made["random-loss"].ok(), made["no-loops"].fail("a loop")]
                                             if p.name == "svm_loss_vectorized" else [Check("c", "c", 1).ok()])
                                  for p in PARTS])
    problems = verdicts(entry, grade, PARTS, declared)
    assert problems == [f"svm_loss_vectorized: declares no check 'no-such-check' (its checks: "
                        f"{', '.join(declared['svm_loss_vectorized'].declared)})"]
    wrong_way = Entry("w", "", {}, {"svm_loss_vectorized"}, [], checks=[("svm_loss_vectorized", "no-loops", True)])
    assert verdicts(wrong_way, grade, PARTS, declared) == ["svm_loss_vectorized: the check 'no-loops' should pass (a loop)"]


#: Submissions whose grades depend on gating: a loss that computes nothing (its shape and
#: self-consistency credit is withheld unless the random-loss check passed), relative errors that
#: are all zero (grad_check_sparse's other checks are withheld unless the errors are right).
GATED = {
    "constant_loss": {"svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return 0.0, np.zeros_like(W)\n"},
    "zero_errors": {"grad_check_sparse": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n"
                                         "    return np.zeros(num_checks)\n"},
}


def _verdicts(grades) -> dict:
    return {g.student_id: [(p.name, p.points, [(c.id, c.passed) for c in p.checks]) for p in g.parts] for g in grades}


@pytest.mark.slow
def test_rewording_every_title_changes_no_grade(submissions, monkeypatch):
    for student, cells in GATED.items():
        submissions(student, cells, base=SOLUTIONS)
    before = _verdicts(grade_all(submissions.root))
    assert any(not passed for (_, _, results) in before["constant_loss"] for _, passed in results)
    reworded = Check.result
    monkeypatch.setattr(Check, "result", lambda self, passed, message="", slip="": dataclasses.replace(
        reworded(self, passed, message, slip), title=f"reworded {self.title[::-1]}"))
    after = grade_all(submissions.root)
    assert all(c.title.startswith("reworded ") for g in after for p in g.parts for c in p.checks)
    assert _verdicts(after) == before


@pytest.mark.slow
def test_a_check_the_part_does_not_declare_fails_the_grader_not_the_student(submissions, monkeypatch):
    from autograder.checks.checkfiles import check_files
    from autograder.parts import load_parts

    submissions("someone", base=SOLUTIONS)
    files = check_files(SOLUTIONS / "grading", [p.name for p in load_parts(SOLUTIONS)])  # rel_error's checks are there
    honest = files.run
    monkeypatch.setattr(files, "run", lambda ctx, name: honest(ctx, name) + [Check("extra", "an extra check", 1).ok()])
    (grade,) = grade_all(submissions.root)
    assert grade.grader_failed
    problem = {p.name: p.problem for p in grade.parts}["rel_error"]
    assert problem.startswith(GRADER_FAILED) and "undeclared check ids ['extra']" in problem, problem
