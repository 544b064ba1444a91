"""A batch of submissions, each graded by grading.submission.grade_safely: in this process,
in a pool of local worker processes, or on the workers of a Dask cluster. One submission's
failure, even its worker's death, costs that submission only; the batch always goes on.
"""

from __future__ import annotations

import threading
from pathlib import Path

from autograder import checks as checks_module
from autograder.assignments import in_submissions, of_source
from autograder.grading.scoring import StudentGrade
from autograder.grading.store import kit_fingerprint
from autograder.grading.submission import DEFAULT_BUDGET, failed_grade, grade_safely
from autograder.intake import Submission, find_submissions
from autograder.parts import Part, load_parts
from autograder.sandbox import preflight
from autograder.sandbox.kernel import DEFAULT_TIMEOUT

def grade_all(submissions: Path, *, base_seed: int = 0, source: Path | None = None,
              student: str | None = None, progress=None, timeout: float = DEFAULT_TIMEOUT,
              budget: float = DEFAULT_BUDGET, workers: int = 1, hide: tuple = (),
              only: list | None = None, dask: str | None = None,
              require_confinement: bool = False, probed=None) -> list[StudentGrade]:
    """Grade every submission under ``submissions`` (or only ``student``, or the Submissions in
    ``only``), in submission order. Before any, one kernel is started and probed
    (autograder/sandbox/preflight.py; ``probed`` gets its SandboxReport), while the graders get
    ready (the worker processes start, import and start their first kernels); ``require_confinement``
    stops the run if the sandbox is not in force. With ``workers`` > 1, that many processes grade
    side by side (each with its own kernels); with ``dask``, the address of a Dask distributed
    scheduler (tcp://host:8786), its workers grade them (see _on_cluster). The kernels never see
    ``submissions`` nor ``hide``. ``progress`` gets each StudentGrade as soon as it is made.
    ``source``: the assignment's source folder (default: the one SUBMISSIONS holds)."""
    source = Path(source) if source is not None else in_submissions(submissions).source
    parts = load_parts(source)
    checks_module.load_all(source, parts)  # stop here, before any kernel starts, if parts and checks differ
    found = only if only is not None else find_submissions(submissions, of_source(source).id)
    if student is not None:
        found = [s for s in found if s.student_id == student]
        if not found:
            raise FileNotFoundError(f"no submission for student {student!r} in {submissions}")
    options = dict(parts=parts, base_seed=base_seed, source=source, timeout=timeout, budget=budget,
                   hide=tuple(str(Path(folder).absolute()) for folder in (submissions, *hide)))

    def probe() -> None:  # a grader that cannot start kernels, or whose sandbox is not in force, stops here
        report = preflight.check(timeout, require=require_confinement)
        if probed:
            probed(report)

    if dask and found:
        outcomes = _on_cluster(dask, found, options, Path(submissions).absolute(), require_confinement)
    elif workers > 1 and len(found) > 1:
        outcomes = _in_processes(workers, found, options, probe)
    elif found:
        outcomes = _in_this_process(found, options, probe)
    else:
        outcomes = []
    grades = {}
    for submission, outcome in outcomes:
        if isinstance(outcome, Exception):  # the grader itself failed: this student only
            outcome = failed_grade(submission, parts, base_seed, outcome)
        grades[submission.student_id] = outcome
        if progress:
            progress(outcome)
    return [grades[s.student_id] for s in found]


class ClusterError(RuntimeError):
    """The Dask cluster cannot grade as this machine would: its scheduler cannot be reached, or it
    has no workers, or they have another kit or do not see the submissions folder."""


def _in_this_process(found: list[Submission], options: dict, probe=None):
    """(submission, StudentGrade or the exception that stopped its grading), one by one; the
    first submission's kernel starts while ``probe`` runs (before any submission is graded)."""
    from autograder.grading import submission as one

    try:
        one.SPARE.start(one.spare_key(options["timeout"], options["hide"]))
        warming = threading.Thread(target=one.warm, args=(options["source"],), name="warm", daemon=True)
        warming.start()
        if probe is not None:
            probe()
        warming.join()
        for i, submission in enumerate(found):
            one.ahead = i + 1 < len(found)  # the next one's kernel starts beside this one's checks
            yield submission, grade_safely(submission, **options)
    finally:
        one.ahead = False
        one.SPARE.discard()


def _worker_starts(key: tuple, source: Path) -> None:
    """In each worker process of a pool, as it starts: its first kernel (for ``key``,
    submission.spare_key) and what every submission needs loaded (submission.warm), so that the
    first submission finds both ready; then every next submission's kernel starts ahead, and the
    last spare is closed when the worker exits."""
    from multiprocessing.util import Finalize

    from autograder.grading import submission as one

    one.ahead = True
    one.SPARE.start(key)
    Finalize(one.SPARE, one.SPARE.discard, exitpriority=10)
    one.warm(source)


def _ready() -> None:
    """A task that does nothing: submitted once per worker, it makes the pool start them all."""


#: How many times a submission is graded again after the worker grading it died.
WORKER_RETRIES = 2


def _in_processes(workers: int, found: list[Submission], options: dict, probe=None):
    """The same, from ``workers`` local processes, in the order they finish; they start (and get
    ready, _worker_starts) while ``probe`` runs, and get submissions once it has passed. A worker
    that dies (the out-of-memory killer) breaks the pool and fails every submission it still held:
    those are graded again in a fresh pool, each up to WORKER_RETRIES times, so one submission
    that kills its worker costs only itself."""
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    from autograder.grading.submission import spare_key

    context = multiprocessing.get_context("spawn")  # no inherited kernel sockets or threads
    ready = (spare_key(options["timeout"], options["hide"]), options["source"])
    pending, tries = list(found), {s.student_id: 0 for s in found}
    while pending:
        broken = []
        size = min(workers, len(pending))
        with concurrent.futures.ProcessPoolExecutor(size, mp_context=context, initializer=_worker_starts,
                                                    initargs=ready) as pool:
            for _ in range(size):  # a pool starts a worker per task submitted while none is idle
                pool.submit(_ready)
            if probe is not None:
                probe()
                probe = None
            futures = {pool.submit(grade_safely, submission, **options): submission for submission in pending}
            for future in concurrent.futures.as_completed(futures):
                submission, outcome = futures[future], _result(future)
                if isinstance(outcome, BrokenProcessPool) and tries[submission.student_id] < WORKER_RETRIES:
                    tries[submission.student_id] += 1
                    broken.append(submission)
                    continue
                if isinstance(outcome, BrokenProcessPool):
                    outcome = RuntimeError(f"the grader's worker process died {WORKER_RETRIES + 1} times while "
                                           "grading this submission (out of memory?)")
                yield submission, outcome
        pending = broken


def _on_cluster(address: str, found: list[Submission], options: dict, submissions: Path, require: bool = False):
    """The same, from the workers of the Dask cluster at ``address``, in the order they finish.

    Each worker runs grade_safely as this process would: it must import the same kit (same
    autograder/ and solutions/, at the same path) and see the submissions at the same absolute
    path (a shared file system); both are checked on every worker before anything is sent, and
    then every worker probes its own sandbox (preflight.check, ``require`` as here) in a first
    task of its own (ClusterError with the reasons otherwise). A task whose worker dies is
    retried by Dask on another worker, then fails for that student only."""
    from distributed import Client, as_completed

    try:
        client = Client(address, set_as_default=False)
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
    with client:
        views = client.run(_worker_view, str(submissions), str(options["source"]))
        problems = cluster_problems(views, kit_fingerprint(options["source"]), submissions)
        if problems:
            raise ClusterError(f"the Dask cluster at {address} cannot grade this run: " + "; ".join(problems))
        problems = _probe_workers(client, list(views), options["timeout"], require)
        if problems:
            raise ClusterError(f"the Dask cluster at {address} cannot grade this run: " + "; ".join(problems))
        futures = {client.submit(grade_safely, Submission(submission.student_id, submission.folder.absolute()),
                                 pure=False, **options): submission
                   for submission in found}
        for future in as_completed(futures, loop=client.loop):
            yield futures[future], _result(future)


def _probe_workers(client, workers: list[str], timeout: float, require: bool) -> list[str]:
    """Run the sandbox's probe on each of ``workers`` (one task pinned to each; each worker
    process keeps its report, as a local grader does); returns what stops a worker, [] if none."""
    futures = {worker: client.submit(_worker_probe, timeout, require, workers=[worker], allow_other_workers=False,
                                     pure=False)
               for worker in workers}
    problems = []
    for worker, future in futures.items():
        outcome = _result(future)
        if isinstance(outcome, Exception):
            problems.append(f"worker {worker}: {outcome}")
    return problems


def _worker_probe(timeout: float, require: bool) -> str:
    """On a cluster worker: the sandbox's start-up line (raises as preflight.check does)."""
    return preflight.check(timeout, require=require).line


def _worker_view(submissions: str, source: str) -> dict:
    """What a cluster worker sees of the kit and the submissions (run on each worker)."""
    return {"kit": kit_fingerprint(Path(source)), "submissions": Path(submissions).is_dir()}


def cluster_problems(views: dict, kit: str, submissions: Path) -> list[str]:
    """Why the workers whose _worker_view are ``views`` ({address: view}) cannot grade like this
    machine (kit fingerprint ``kit``), or [] when they all can."""
    if not views:
        return ["it has no workers"]
    problems = []
    for worker, view in sorted(views.items()):
        if view["kit"] != kit:
            problems.append(f"worker {worker} has another kit (install this autograder/ and solutions/ "
                            "on the workers, at the same path)")
        if not view["submissions"]:
            problems.append(f"worker {worker} does not see {submissions} (share it at the same path)")
    return problems


def _result(future):
    """A future's StudentGrade, or the exception it raised instead."""
    try:
        return future.result()
    except Exception as exc:
        return exc
