"""The linear-classifier assignment, which most tests grade, by the names the tests use."""

from autograder.assignments import find_assignment
from autograder.checks import grading_package
from autograder.authoring.corpus import parse_entry
from autograder.parts import load_parts

LINEAR = find_assignment("linear_classifiers")
ASSIGNMENT, SOLUTIONS, RELEASE, CORPUS = LINEAR.id, LINEAR.source, LINEAR.release, LINEAR.corpus
GRADING = grading_package(SOLUTIONS)  # its hidden checks' package (GRADING.inputs, GRADING.losses...)

#: Its parts and their points as the source notebook declares them: tests derive counts and totals from these
#: (a TA may add a part, README "Adding a part").
PARTS = load_parts(SOLUTIONS)
TOTAL = sum(part.points for part in PARTS)


def passing(k: int) -> str:
    """The self-check's last line when ``k`` of the assignment's parts pass every public check."""
    return f"{k} of {len(PARTS)} parts pass every public check."


#: A typical mistake, from the corpus: svm_loss_vectorized not averaged over the examples.
PARTLY_WRONG = parse_entry(CORPUS / "svm_vec_not_averaged.py").cells
