"""The k-nearest-neighbour assignment's grading knowledge (never handed out, never seen by a kernel).

Importing this package registers every part's hidden checks (``@checks_for``):

    compute_distances_two_loops/one_loop/no_loops   distances.py (inputs.py, diagnosis.py)
    predict_labels                                  prediction.py
    cross_validate                                  validation.py

``public.public_data`` computes the numbers of the hand-out's selfcheck/expected.json;
``corpus/`` is the corpus test's submissions; ``SHORT_NAMES`` are its table's column heads.
"""

from . import distances, prediction, validation  # noqa: F401  (they register the checks)

SHORT_NAMES = {"compute_distances_two_loops": "two_loop", "compute_distances_one_loop": "one_loop",
               "compute_distances_no_loops": "no_loops", "predict_labels": "predict", "cross_validate": "crossval"}

#: The corpus entry ``./kit demo`` grades as its partly wrong sample.
DEMO_ENTRY = "predict_first_occurrence_tie"
