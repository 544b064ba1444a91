"""The main job on the embedded data, end to end: generate the hand-out (into OUT, leaving
assignment/ as it is), build three sample submissions (the reference solution, a partly wrong
one, the untouched hand-out notebook), grade them and print the grade table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from autograder import preflight
from autograder.grading import grade_all
from autograder.layout import SOLUTIONS, submission_folder
from autograder.parts import nbgrader_meta
from autograder.release import release
from autograder.reports import grade_table, write_reports

#: A typical mistake, written independently of the reference: the SVM loss is not averaged over
#: the examples. (The sample also breaks predict: argmin instead of argmax, see _break.)
PARTLY_WRONG = {
    "svm_loss_vectorized": '''def svm_loss_vectorized(W, X, y, reg):
    scores = X.dot(W)
    correct = scores[np.arange(len(y)), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(len(y)), y] = 0
    loss = margins.sum() + reg * np.sum(W * W)          # forgot to divide by N
    mask = (margins > 0).astype(float)
    mask[np.arange(len(y)), y] = -mask.sum(axis=1)
    return loss, X.T.dot(mask) + 2 * reg * W
''',
}


def build_samples(folder: Path, handout: Path) -> Path:
    """Write SUBMISSIONS/<id>/<assignment>/*.ipynb for the three sample students."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    for student, source in [("correct", SOLUTIONS), ("untouched_release", handout), ("partly_wrong", SOLUTIONS)]:
        target = submission_folder(folder, student)
        target.mkdir(parents=True)
        for nb_path in sorted(Path(source).glob("*.ipynb")):
            nb = nbformat.read(nb_path, as_version=4)
            if student == "partly_wrong":
                _break(nb)
            nbformat.write(nb, target / nb_path.name)
    return folder


def _break(nb) -> None:
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id == "svm_loss_vectorized":
            cell.source = PARTLY_WRONG["svm_loss_vectorized"]
        elif grade_id == "LinearClassifier":
            cell.source = cell.source.replace("np.argmax(", "np.argmin(")


def main(*, out: Path = Path("out/demo")) -> int:
    out = Path(out)
    handout = out / "handout"
    print(f"1/3 generating the students' hand-out with nbgrader into {handout}/ (assignment/ is left as it is) ...")
    release(target=handout, force=True)
    submissions = build_samples(out / "submissions", handout)
    print(f"2/3 grading the sample submissions in {submissions}/ (correct, partly_wrong, untouched_release) ...")
    print(f"    {preflight.check().line}")
    grades = grade_all(submissions, progress=lambda g: print(f"    {g.student_id}: {g.score:g}/{g.max_score:g} ({g.seconds:.1f} s)"))
    write_reports(grades, out)
    print(f"3/3 grades in {out / 'grades.csv'}, one report per student in {out / 'reports'}/\n")
    print(grade_table(grades), end="")
    return 0
