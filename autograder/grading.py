"""Grading: one submission in one fresh kernel, and a batch of them.

For a submission: read its cells (intake), start a kernel (sandbox), load the notebook's import
cells and each part's cell through the bridge, run each part's hidden checks, and turn the
results into a StudentGrade (scoring). Whatever goes wrong for one student becomes a reason in
that student's report; the batch always goes on.
"""

from __future__ import annotations

import hashlib
import time
import traceback
from pathlib import Path

import numpy as np

from autograder import checks as checks_module
from autograder import preflight
from autograder.bridge import Bridge
from autograder.checks import Context
from autograder.checks.values import NOT_IMPLEMENTED
from autograder.intake import Submission, find_submissions, read_student_code
from autograder.assignments import find_assignment, in_submissions, of_source
from autograder.parts import Part, load_parts
from autograder.preflight import ConfinementMissing, KernelsUnavailable  # noqa: F401 (raised from here)
from autograder.reference import load_reference
from autograder.sandbox import DEFAULT_TIMEOUT, Sandbox
from autograder.scoring import GRADER_FAILED, PartResult, StudentGrade  # noqa: F401 (GRADER_FAILED: used by callers too)

#: Seconds one submission may take in all (its kernel's start included).
DEFAULT_BUDGET = 300.0

#: A notebook's import cells and each part's definition may take this many call timeouts
#: (import cells may load matplotlib or data_scripts).
DEFINITION_TIMEOUTS = 3


def submission_seed(base_seed: int, student_id: str) -> int:
    """The seed of a student's random check inputs: fixed per (base seed, student), so a verdict
    can be reproduced exactly and different students get different inputs."""
    digest = hashlib.sha256(f"{base_seed}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def part_rng(seed: int, part: str) -> np.random.Generator:
    """Each part draws from its own stream, so one part's checks never shift another's inputs."""
    return np.random.default_rng([seed, int.from_bytes(hashlib.sha256(part.encode()).digest()[:4], "little")])


def grade_submission(submission: Submission, *, parts: list[Part] | None = None,
                     base_seed: int = 0, source: Path | None = None,
                     timeout: float = DEFAULT_TIMEOUT, budget: float = DEFAULT_BUDGET,
                     hide: tuple = ()) -> StudentGrade:
    """Grade one submission folder (SUBMISSIONS/<id>/<assignment>/) and return its grade.

    timeout: seconds per call into the kernel; budget: seconds for the whole submission, after
    which the parts not yet checked score 0 with that reason; hide: folders the kernel must not
    see besides the kit's own (the submissions and output folders); source: the assignment's
    source folder (default: the assignment the submission folder is named after)."""
    started = time.perf_counter()
    source = Path(source) if source is not None else find_assignment(submission.folder.name).source
    parts = parts or load_parts(source)
    reference = load_reference(source)
    registry = checks_module.load_all(source, parts)
    grade = StudentGrade(submission.student_id, submission_seed(base_seed, submission.student_id),
                         assignment=of_source(source).id)
    code = read_student_code(submission, parts)
    grade.notes += code.notes
    results = {p.name: PartResult(p.name, p.points) for p in parts}
    for name, problem in code.problems.items():
        if name in results and name not in code.cells:
            results[name].problem = problem
        elif name in results:
            grade.notes.append(problem)

    gradable = [p for p in parts if p.name in code.cells]
    if gradable:
        try:
            with Sandbox(timeout=timeout, hide=hide) as box:
                bridge = Bridge(box, deadline=started + budget)
                bridge.load("import numpy as np")
                for cell in code.setup:
                    outcome = bridge.load(cell, timeout=DEFINITION_TIMEOUTS * timeout)
                    if not outcome.ok:
                        grade.notes.append(f"an import cell failed and was skipped ({outcome.error})")
                for part in gradable:
                    if time.perf_counter() - started > budget:
                        break  # not loaded, not checked: said below
                    outcome = bridge.load(code.cells[part.name], timeout=DEFINITION_TIMEOUTS * timeout)
                    if not outcome.ok:
                        results[part.name].problem = f"the cell defining {part.name} does not run: {outcome.error}"
                for part in gradable:
                    if time.perf_counter() - started > budget:
                        results[part.name].problem = (f"not checked: the submission used up its time budget "
                                                      f"of {budget:g} s before this part")
                    elif not results[part.name].problem:
                        loaded = {p.name: code.cells[p.name] for p in gradable}  # in the order they ran
                        _run_checks(part, results[part.name], registry, bridge, loaded,
                                    reference, grade.seed, code.setup)
                        box.kill_strays()
        except Exception as exc:  # the kernel could not even start: every part is affected
            for part in gradable:
                if not results[part.name].checks:
                    results[part.name].problem = (f"{GRADER_FAILED} (its kernel could not run: {type(exc).__name__}: "
                                                  f"{exc}); ask for a regrade")  # the next run grades it again
    grade.parts = [results[p.name] for p in parts]
    grade.seconds = time.perf_counter() - started
    return grade


def _run_checks(part, result, registry, bridge, cells, reference, seed, setup=()) -> None:
    ctx = Context(bridge=bridge, source=cells[part.name], reference=reference, rng=part_rng(seed, part.name),
                  seed=seed, sources=dict(cells), setup=tuple(setup))
    try:
        result.checks = registry[part.name](ctx)
        failed = [c.message for c in result.checks if not c.passed]
        if len(failed) == len(result.checks) and any(NOT_IMPLEMENTED in m for m in failed) and all(
                NOT_IMPLEMENTED in m or m.startswith("not awarded") for m in failed):
            # A stub fails every check for one reason: say it once.
            result.checks, result.problem = [], f"{part.name} {NOT_IMPLEMENTED}"
    except Exception:  # a value shaped in a way no check foresaw must not stop the batch
        detail = traceback.format_exc(limit=-1).strip().splitlines()[-1]
        result.problem = f"the checks of {part.name} could not finish on this code ({detail})"


def grade_all(submissions: Path, *, base_seed: int = 0, source: Path | None = None,
              student: str | None = None, progress=None, timeout: float = DEFAULT_TIMEOUT,
              budget: float = DEFAULT_BUDGET, workers: int = 1, hide: tuple = (),
              only: list | None = None, dask: str | None = None,
              require_confinement: bool = False) -> list[StudentGrade]:
    """Grade every submission under ``submissions`` (or only ``student``, or the Submissions in
    ``only``), in submission order. Before any, one kernel is started and probed
    (autograder/preflight.py); ``require_confinement`` stops the run if the sandbox is not in force. With ``workers`` > 1, that many processes grade side by side
    (each with its own kernels); with ``dask``, the address of a Dask distributed scheduler
    (tcp://host:8786), its workers grade them (see _on_cluster). The kernels never see
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
    if found and not dask:  # a grader that cannot start kernels, or whose sandbox is not in force, stops here
        preflight.check(timeout, require=require_confinement)
    if dask and found:
        outcomes = _on_cluster(dask, found, options, Path(submissions).absolute())
    elif workers > 1 and len(found) > 1:
        outcomes = _in_processes(workers, found, options)
    else:
        outcomes = _in_this_process(found, options)
    grades = {}
    for submission, outcome in outcomes:
        if isinstance(outcome, Exception):  # the grader itself failed: this student only
            outcome = _failed(submission, parts, base_seed, outcome)
        grades[submission.student_id] = outcome
        if progress:
            progress(outcome)
    return [grades[s.student_id] for s in found]


class ClusterError(RuntimeError):
    """The Dask cluster cannot grade as this machine would: its scheduler cannot be reached, or it
    has no workers, or they have another kit or do not see the submissions folder."""


def _in_this_process(found: list[Submission], options: dict):
    """(submission, StudentGrade or the exception that stopped its grading), one by one."""
    for submission in found:
        try:
            outcome = grade_submission(submission, **options)
        except Exception as exc:
            outcome = exc
        yield submission, outcome


#: How many times a submission is graded again after the worker grading it died.
WORKER_RETRIES = 2


def _in_processes(workers: int, found: list[Submission], options: dict):
    """The same, from ``workers`` local processes, in the order they finish. A worker that dies
    (the out-of-memory killer) breaks the pool and fails every submission it still held: those
    are graded again in a fresh pool, each up to WORKER_RETRIES times, so one submission that
    kills its worker costs only itself."""
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")  # no inherited kernel sockets or threads
    pending, tries = list(found), {s.student_id: 0 for s in found}
    while pending:
        broken = []
        with concurrent.futures.ProcessPoolExecutor(min(workers, len(pending)), mp_context=context) as pool:
            futures = {pool.submit(grade_submission, submission, **options): submission for submission in pending}
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


def _on_cluster(address: str, found: list[Submission], options: dict, submissions: Path):
    """The same, from the workers of the Dask cluster at ``address``, in the order they finish.

    Each worker runs grade_submission as this process would: it must import the same kit (same
    autograder/ and solutions/, at the same path) and see the submissions at the same absolute
    path (a shared file system); both are checked on every worker before anything is sent
    (ClusterError otherwise). A task whose worker dies is retried by Dask on another worker,
    then fails for that student only."""
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
        futures = {client.submit(grade_submission, Submission(submission.student_id, submission.folder.absolute()),
                                 pure=False, **options): submission
                   for submission in found}
        for future in as_completed(futures, loop=client.loop):
            yield futures[future], _result(future)


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


#: How a grade the grader failed to make begins; a later run grades that submission again.


def _failed(submission: Submission, parts: list[Part], base_seed: int, exc: Exception) -> StudentGrade:
    """The grade of a submission the grader itself failed on: 0 everywhere, with the error."""
    grade = StudentGrade(submission.student_id, submission_seed(base_seed, submission.student_id),
                         assignment=submission.folder.name)
    problem = f"{GRADER_FAILED} ({type(exc).__name__}: {str(exc)[:200]}); ask for a regrade"
    grade.parts = [PartResult(p.name, p.points, problem=problem) for p in parts]
    return grade


def record_fingerprint(submission: Submission, base_seed: int, kit: str) -> str:
    """What a stored grade is valid for: the kit, the base seed and the submission's files."""
    from autograder.intake import submission_fingerprint

    return f"{kit}:{base_seed}:{submission_fingerprint(submission)}"


def kit_fingerprint(source: Path) -> str:
    """Changes whenever the assignment's reference or checks, or the grader, change (stored grades expire)."""
    digest = hashlib.sha256()
    checks = [p for p in (Path(source) / "grading").rglob("*.py") if "corpus" not in p.relative_to(source).parts]
    for path in sorted([*Path(source).glob("*.ipynb"), *checks, *Path(__file__).parent.rglob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def grade_run(submissions: Path, out: Path, *, student: str | None = None, regrade: bool = False,
              base_seed: int = 0, workers: int = 1, timeout: float = DEFAULT_TIMEOUT,
              budget: float = DEFAULT_BUDGET, hide: tuple = (), progress=None, planned=None,
              dask: str | None = None, require_confinement: bool = False,
              source: Path | None = None) -> list[StudentGrade]:
    """A grade run into OUT: grade what is not graded yet (or ``student``, or everything with
    ``regrade``), record each grade as soon as it is made, then write grades.csv for every
    submission. Safe to kill and run again; a second run into the same OUT is refused.
    ``planned`` gets the number of submissions about to be graded, ``progress`` each new
    StudentGrade (a progress.GradeProgress serves as both); ``dask``, ``source``: see grade_all."""
    from autograder.feedback import write_feedback
    from autograder.reports import OutputFolder

    folder = OutputFolder(out)
    with folder.lock():
        source = Path(source) if source is not None else in_submissions(submissions).source
        found = find_submissions(submissions, of_source(source).id)
        if student is not None and student not in {s.student_id for s in found}:
            raise FileNotFoundError(f"no submission for student {student!r} in {submissions}")
        kit = kit_fingerprint(source)
        prints = {s.student_id: record_fingerprint(s, base_seed, kit) for s in found}
        done = {}
        for s in found:
            fresh = regrade or s.student_id == student
            stored = None if fresh else folder.load(s.student_id, prints[s.student_id])
            if stored is not None and not stored.grader_failed:
                done[s.student_id] = stored
        todo = [s for s in found if s.student_id not in done and (student is None or s.student_id == student)]

        def record(grade):
            folder.save(grade, prints[grade.student_id])
            write_feedback([grade], folder.out)
            if progress:
                progress(grade)

        if planned:
            planned(len(todo))
        graded = grade_all(submissions, only=todo, source=source, base_seed=base_seed, workers=workers, timeout=timeout,
                           budget=budget, hide=(str(folder.out), *hide), progress=record, dask=dask,
                           require_confinement=require_confinement)
        done.update({g.student_id: g for g in graded})
        grades = [done[s.student_id] for s in found if s.student_id in done]
        folder.write_csv(grades)
        return grades
