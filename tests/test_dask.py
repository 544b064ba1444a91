"""Grading on a Dask distributed cluster: the same grades and reports as a local run.

A two-worker cluster on loopback (worker processes, as on real machines) grades the untouched
release and the reference with a wrong part and a broken cell through grade_run(dask=...), and
the same submissions are graded here; every score, check verdict and message must be the same.
"""

import io

import dask
import pytest
from distributed import LocalCluster

from linear import PARTLY_WRONG
from autograder.grading.executors import ClusterError, cluster_problems, grade_all
from autograder.outputs.run import grade_run
from linear import RELEASE, SOLUTIONS
from autograder.outputs.progress import GradeProgress
from autograder.outputs.reports import student_report

BROKEN = "def rel_error(x, y):\n    return x - y)\n"


@pytest.fixture
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local_cluster:
        yield local_cluster


def by_part(grade):
    return [(p.name, p.points, p.problem, [(c.id, c.title, c.passed, c.message) for c in p.checks]) for p in grade.parts]


@pytest.mark.slow
def test_a_dask_cluster_grades_exactly_as_a_local_run(submissions, cluster, tmp_path):
    submissions("release", base=RELEASE)
    submissions("faulty", {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"], "rel_error": BROKEN},
                base=SOLUTIONS)
    shown = io.StringIO()
    with GradeProgress(file=shown, disable=False) as bar:
        remote = grade_run(submissions.root, tmp_path / "out", dask=cluster.scheduler_address,
                           progress=bar, planned=bar.plan)
    assert "grade_safely" in cluster.scheduler.task_prefixes  # the cluster did the grading
    local = grade_all(submissions.root)

    assert [g.student_id for g in remote] == ["faulty", "release"]
    assert [by_part(g) for g in remote] == [by_part(g) for g in local]
    assert [(g.seed, g.notes) for g in remote] == [(g.seed, g.notes) for g in local]
    assert [student_report(g) for g in remote] == [student_report(g) for g in local]
    faulty, release = remote
    assert release.score == 0
    assert {p.name for p in faulty.parts if p.points < p.max_points} == {"svm_loss_vectorized", "rel_error"}
    assert "2/2" in shown.getvalue() and "problems=1" in shown.getvalue()  # rel_error's cell does not run


def test_a_cluster_that_cannot_grade_like_this_machine_is_refused_with_the_reason(submissions, tmp_path):
    submissions("release")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(ClusterError, match="cannot reach"):
        grade_all(submissions.root, dask="tcp://127.0.0.1:1")
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty, \
            pytest.raises(ClusterError, match="has no workers"):
        grade_all(submissions.root, dask=empty.scheduler_address)
    views = {"tcp://a:1": {"kit": "kit", "submissions": True}, "tcp://b:1": {"kit": "old", "submissions": False}}
    problems = cluster_problems(views, "kit", tmp_path)
    assert len(problems) == 2 and all("tcp://b:1" in problem for problem in problems)
    assert "another kit" in problems[0] and f"does not see {tmp_path}" in problems[1]
