"""One submission in one fresh kernel: read its cells (intake), start a kernel (sandbox), load
the notebook's import cells and each part's cell through the bridge, run each part's hidden
checks (the assignment's grading package), and turn the results into a StudentGrade (scoring).
Whatever goes wrong for one student becomes a reason in that student's report.
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from pathlib import Path


from autograder import checks as checks_module
from autograder.assignments import find_assignment, of_source
from autograder.checks import Context, Status
from autograder.checks.values import NOT_IMPLEMENTED
from autograder.grading.scoring import GRADER_FAILED, PartResult, StudentGrade
from autograder.grading.seeds import part_rng, submission_seed
from autograder.intake import Submission, read_student_code, submission_fingerprint
from autograder.parts import Part, load_parts
from autograder.reference import load_reference
from autograder.sandbox.bridge import KERNEL_SIDE, Bridge
from autograder.sandbox.kernel import DEFAULT_TIMEOUT, Sandbox, refusal_note

#: Seconds one submission may take in all (its kernel's start included).
DEFAULT_BUDGET = 300.0

#: A notebook's import cells and each part's definition may take this many call timeouts
#: (import cells may load matplotlib or data_scripts).
DEFINITION_TIMEOUTS = 3

#: What every submission's kernel runs as soon as it has started, before any student code: the
#: bridge's helpers, and numpy as np, which the notebooks' cells expect (a kernel started ahead
#: has done both by the time its submission comes).
KERNEL_STARTUP = KERNEL_SIDE + "\nimport numpy as np\n"


class SpareKernel:
    """At most one confined kernel started ahead, in a thread, while this process grades the
    current submission, so that the next one finds its kernel ready (a kernel start is about a
    second, of the two a submission takes). Each kernel is used by one submission only; a spare
    started for other settings (timeout, hidden folders), or that failed to start, is closed and
    a kernel is started as before."""

    def __init__(self):
        self.key, self.box, self.thread = None, None, None

    def start(self, key: tuple) -> None:
        if self.thread is not None:
            self.discard()  # one spare at a time
        timeout, hide = key

        def run():
            box = Sandbox(timeout=timeout, hide=hide, startup=KERNEL_STARTUP)
            try:
                self.box = box.__enter__()
            except Exception:  # started again, in the foreground, when it is wanted
                self.box = None

        self.key, self.box = key, None
        self.thread = threading.Thread(target=run, name="spare-kernel", daemon=True)
        self.thread.start()

    def take(self, key: tuple) -> Sandbox | None:
        """The spare kernel if it was started for ``key`` and runs; None otherwise."""
        if self.thread is None:
            return None
        self.thread.join()
        box, same = self.box, self.key == key
        self.key, self.box, self.thread = None, None, None
        if box is not None and not same:
            box.__exit__(None, None, None)
            return None
        return box

    def discard(self) -> None:
        """Close the spare, if any, and wait for the kernels still being closed (CLOSING)."""
        box = self.take(self.key)
        if box is not None:
            box.__exit__(None, None, None)
        CLOSING.wait()


class ClosingKernels:
    """Kernels of graded submissions, closed in threads while the next submission is graded: killing
    a kernel's processes, removing its control group and folders take about 0.1 s, mostly waiting
    for them to go. Each is still closed in full (Sandbox.__exit__); ``wait`` returns once all are."""

    def __init__(self):
        self.threads: list[threading.Thread] = []

    def close(self, box: Sandbox) -> None:
        self.threads = [thread for thread in self.threads if thread.is_alive()]
        thread = threading.Thread(target=box.__exit__, args=(None, None, None), name="closing-kernel", daemon=True)
        thread.start()
        self.threads.append(thread)

    def wait(self) -> None:
        while self.threads:
            self.threads.pop().join()


#: This process's spare kernel and the kernels it is closing; ``ahead`` is set by the executors
#: while a batch has more to grade.
SPARE = SpareKernel()
CLOSING = ClosingKernels()
ahead = False


def warm(source: Path) -> None:
    """Load what grading a submission of the assignment in ``source`` loads the first time: its
    parts, checks and reference, and the kit's embedded data set, which checks draw inputs from
    (data_scripts' digits: scikit-learn's import, over a second of CPU). Then a process's first
    submission costs what the others do. Best effort: a failure here is met, and reported, by the
    submission's own grading."""
    with contextlib.suppress(Exception):
        checks_module.load_all(source, load_parts(source))
        load_reference(source)
        from data_scripts import load_dataset

        load_dataset("digits")


def spare_key(timeout: float, hide: tuple) -> tuple:
    """What a kernel is started for: a spare serves the submissions graded with the same."""
    return timeout, tuple(hide)


@contextlib.contextmanager
def sandbox_for_submission(timeout: float, hide: tuple):
    """A fresh kernel for one submission: the spare if there is one, else started now; with
    ``ahead``, the next submission's kernel starts at once, beside this one's checks, and this one
    is closed beside the next one's (CLOSING)."""
    key = spare_key(timeout, hide)
    box = SPARE.take(key) or Sandbox(timeout=timeout, hide=hide, startup=KERNEL_STARTUP).__enter__()
    closing_ahead = ahead
    if closing_ahead:
        SPARE.start(key)
    try:
        yield box
    finally:
        if closing_ahead:
            CLOSING.close(box)
        else:
            box.__exit__(None, None, None)


def grade_submission(submission: Submission, *, parts: list[Part] | None = None,
                     base_seed: int = 0, source: Path | None = None,
                     timeout: float = DEFAULT_TIMEOUT, budget: float = DEFAULT_BUDGET,
                     hide: tuple = ()) -> StudentGrade:
    """Grade one submission folder (SUBMISSIONS/<id>/<assignment>/) and return its grade.

    base_seed: the run's base seed (seeds.base_seed: the course's secret and --seed), from which,
    with the student's id and the submission's content, its inputs are drawn (seeds.submission_seed);
    timeout: seconds per call into the kernel; budget: seconds for the whole submission, after
    which the parts not yet checked score 0 with that reason; hide: folders the kernel must not
    see besides the kit's own (the submissions and output folders); source: the assignment's
    source folder (default: the assignment the submission folder is named after)."""
    started = time.perf_counter()
    source = Path(source) if source is not None else find_assignment(submission.folder.name).source
    parts = parts or load_parts(source)
    reference = load_reference(source)
    registry = checks_module.load_all(source, parts)
    seed = submission_seed(base_seed, submission.student_id, submission_fingerprint(submission))
    grade = StudentGrade(submission.student_id, seed, assignment=of_source(source).id)
    code = read_student_code(submission, parts)
    grade.notes += code.notes
    results = {p.name: PartResult(p.name, p.points) for p in parts}
    for name, problem in code.problems.items():
        if name in results and name not in code.cells:
            results[name].not_graded(Status.NOT_GRADED, problem)
        elif name in results:
            grade.notes.append(problem)

    gradable = [p for p in parts if p.name in code.cells]
    if gradable:
        try:
            with sandbox_for_submission(timeout, hide) as box:
                bridge = Bridge(box, deadline=started + budget)  # numpy and its helpers are there: KERNEL_STARTUP
                for cell in code.setup:
                    outcome = bridge.load(cell, timeout=DEFINITION_TIMEOUTS * timeout)
                    if not outcome.ok:
                        grade.notes.append(f"an import cell failed and was skipped ({outcome.error})")
                uncompiled = set()  # cells the kernel could not even compile: nothing of them ran
                for part in gradable:
                    if time.perf_counter() - started > budget:
                        break  # not loaded, not checked: said below
                    outcome = bridge.load(code.cells[part.name], timeout=DEFINITION_TIMEOUTS * timeout)
                    if not outcome.ok:
                        results[part.name].not_graded(Status.TIMED_OUT if outcome.status == "timeout" else Status.NOT_GRADED,
                                                      f"the cell defining {part.name} does not run: {outcome.error}")
                        if outcome.error.split(":")[0] in ("SyntaxError", "IndentationError", "TabError"):
                            uncompiled.add(part.name)
                grade.notes += refusal_note(box, "while loading the notebook's cells")
                for part in gradable:
                    if time.perf_counter() - started > budget:
                        results[part.name].not_graded(Status.TIMED_OUT, f"not checked: the submission used up its time "
                                                                        f"budget of {budget:g} s before this part")
                    elif not results[part.name].problem:
                        # The cells in the order they ran (a cell that did not compile ran nothing:
                        # the loop check must not read it as code that could rebind a function)
                        loaded = {p.name: code.cells[p.name] for p in gradable if p.name not in uncompiled}
                        _run_checks(part, results[part.name], registry, bridge, loaded,
                                    reference, grade.seed, code.setup)
                        box.kill_strays()
                        grade.notes += refusal_note(box, f"while checking {part.name}")
        except checks_module.ChecksMismatch:
            raise
        except Exception as exc:  # the kernel could not even start: every part is affected
            for part in gradable:
                if not results[part.name].checks:
                    results[part.name].not_graded(Status.GRADER_FAILED, f"{GRADER_FAILED} (its kernel could not run: "
                                                  f"{type(exc).__name__}: {exc}); ask for a regrade")  # graded again next run
    grade.parts = [results[p.name] for p in parts]
    grade.seconds = time.perf_counter() - started
    return grade


def grade_safely(submission: Submission, *, parts: list[Part], base_seed: int = 0, **options) -> StudentGrade:
    """grade_submission, or, when the grader itself fails on it, the grade that says so
    (failed_grade): what every entry point (a grade run in this process, a pool's or a Dask
    worker, Gradescope) records, so that a failure is recorded the same way everywhere."""
    try:
        return grade_submission(submission, parts=parts, base_seed=base_seed, **options)
    except Exception as exc:  # noqa: BLE001 (this student only; the next run grades it again)
        return failed_grade(submission, parts, base_seed, exc)


def failed_grade(submission: Submission, parts: list[Part], base_seed: int, exc: BaseException) -> StudentGrade:
    """The grade of a submission the grader itself failed on (its worker died, it raised): 0
    everywhere, GRADER_FAILED with the error, not kept by the grade store (graded again next run)."""
    grade = StudentGrade(submission.student_id, submission_seed(base_seed, submission.student_id,
                                                                submission_fingerprint(submission)),
                         assignment=submission.folder.name)
    problem = f"{GRADER_FAILED} ({type(exc).__name__}: {str(exc)[:200]}); ask for a regrade"
    grade.parts = [PartResult(p.name, p.points, problem=problem, status=Status.GRADER_FAILED) for p in parts]
    return grade


def _run_checks(part, result, registry, bridge, cells, reference, seed, setup=()) -> None:
    ctx = Context(bridge=bridge, source=cells[part.name], reference=reference, rng=part_rng(seed, part.name),
                  seed=seed, sources=dict(cells), setup=tuple(setup))
    try:
        result.checks = registry[part.name](ctx)
        result.notes += ctx.notes
        statuses = {c.status for c in result.checks}
        if Status.NOT_IMPLEMENTED in statuses and statuses <= {Status.NOT_IMPLEMENTED, Status.NOT_AWARDED}:
            # A stub fails every check for one reason: say it once.
            result.not_graded(Status.NOT_IMPLEMENTED, f"{part.name} {NOT_IMPLEMENTED}")
    except checks_module.ChecksMismatch:
        raise  # the grader's own fault (a check it does not declare): this grade must not be kept
    except Exception:  # a value shaped in a way no check foresaw must not stop the batch
        detail = traceback.format_exc(limit=-1).strip().splitlines()[-1]
        result.not_graded(Status.NOT_GRADED, f"the checks of {part.name} could not finish on this code ({detail})")
