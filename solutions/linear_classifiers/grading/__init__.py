"""The linear-classifier assignment's grading knowledge (never handed out, never seen by a kernel).

Importing this package registers every part's hidden checks (``@checks_for``):

    rel_error, eval_numerical_gradient, grad_check_sparse   gradients.py
    svm_loss_naive/vectorized, softmax_loss_naive/vectorized   losses.py (inputs.py, diagnosis.py)
    LinearClassifier                                        classifier.py

``public.public_data`` computes the numbers of the hand-out's selfcheck/expected.json;
``corpus/`` is the corpus test's submissions; ``SHORT_NAMES`` are its table's column heads.
"""

from . import classifier, gradients, losses  # noqa: F401  (they register the checks)

SHORT_NAMES = {"rel_error": "rel_err", "eval_numerical_gradient": "num_grad", "grad_check_sparse": "grad_chk",
               "svm_loss_naive": "svm_nv", "svm_loss_vectorized": "svm_vec", "softmax_loss_naive": "smx_nv",
               "softmax_loss_vectorized": "smx_vec", "LinearClassifier": "linclf"}

#: The corpus entry ``./kit demo`` grades as its partly wrong sample.
DEMO_ENTRY = "svm_vec_not_averaged"
