"""A TA adds a part to an assignment as the README's "Adding a part" says (tests/new_part.py:
``hinge_loss_single``, 5 points, in the linear-classifier assignment): the kit checks it,
releases it, lets a student self-check it, grades it and runs its corpus entry, and every
count and total follows (the assignment's points are whatever its check cells say). The whole
rehearsal runs on a copy of the kit, quick tests included (tests/ta_adds_a_part.py, which the
README names); tests/test_third_assignment.py adds a part to a new assignment in this process
and checks with git that no other file changed."""

from __future__ import annotations

import pytest

import conftest
from linear import ASSIGNMENT


@pytest.mark.slow
def test_the_tas_whole_path_holds_on_a_copy_of_the_kit_quick_tests_included():
    """tests/ta_adds_a_part.py: a copy of the kit, the part added, release --check, release,
    the corpus entry, the self-check and grading of the reference and the untouched hand-out,
    and ``./kit test -m "not slow"`` there; any failure is one the README does
    not tell the TA how to fix."""
    # started in the background when the run was collected (see conftest.py)
    code, lines = conftest.background["ta"].result()
    assert code == 0, "\n".join(lines)[-25000:]
    assert lines[-1] == f'every step of "Adding a part" passed for {ASSIGNMENT}', "\n".join(lines)[-25000:]
