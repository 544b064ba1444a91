"""The linear-classifier assignment, which most tests grade, by the names the tests use."""

from autograder.assignments import find_assignment
from autograder.checks import grading_package
from autograder.authoring.corpus import parse_entry

LINEAR = find_assignment("linear_classifiers")
ASSIGNMENT, SOLUTIONS, RELEASE, CORPUS = LINEAR.id, LINEAR.source, LINEAR.release, LINEAR.corpus
GRADING = grading_package(SOLUTIONS)  # its hidden checks' package (GRADING.inputs, GRADING.losses...)

#: A typical mistake, from the corpus: svm_loss_vectorized not averaged over the examples.
PARTLY_WRONG = parse_entry(CORPUS / "svm_vec_not_averaged.py").cells
