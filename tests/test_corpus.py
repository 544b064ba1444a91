"""The corpus: the reference gets full marks, the release 0, and every corpus entry exactly the
verdict it declares (which parts lose points, which keep them, which hints the report gives),
for every assignment of the kit."""

import conftest
import pytest
from autograder.authoring import corpus as corpus_test
from autograder.assignments import all_assignments
from linear import LINEAR


@pytest.mark.slow
@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda a: a.id)
def test_every_corpus_entry_is_graded_as_it_expects(assignment):
    # started in the background when the run was collected (see conftest.py)
    code, lines = conftest.background["corpus"].result()[assignment.id]
    assert code == 0, "\n".join(lines)
    # one "ok" row for the reference, the release and every corpus entry, and the total says so
    expected = ["reference", "untouched_release", *sorted(p.stem for p in assignment.corpus.glob("*.py"))]
    rows = {line.split()[0]: line for line in lines[1:] if line.strip() and not line.startswith(" ")}
    assert [name for name in expected if not rows.get(name, "").endswith("  ok")] == [], "\n".join(lines)
    assert lines[-1].strip().startswith(f"{len(expected)} of {len(expected)} entries graded as expected"), lines[-1]


def test_a_wrong_expectation_is_reported_as_a_mismatch(tmp_path):
    (tmp_path / "claims_wrongly.py").write_text(
        "# A correct rel_error that claims it should lose points.\n# expect-lose: rel_error\n"
        "# %% rel_error\ndef rel_error(x, y):\n"
        "    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))\n")
    lines = []
    assert corpus_test.main(assignment=LINEAR, corpus=tmp_path, only="claims_wrongly", out=lines.append) == 1
    assert any("rel_error: expected to lose points, got full marks" in line for line in lines)
