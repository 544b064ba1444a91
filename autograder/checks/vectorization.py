"""Is a vectorized function really vectorized? A static loop check and a measured speed ratio.

The loop check (autograder/students/selfcheck/loops.py) reads the student's graded cells as one program (no
execution) and follows everything the function can reach: it must hold no Python loop by any
name. Speed credit is for vectorized code: it is not given to a function the loop check finds
looping, and the measurement catches loops over examples that the check cannot see.

The speed check times the student's function in its kernel *from the grader's side*, so that
nothing in the kernel can fake the clock, against the naive reference in the grader's process,
on fresh inputs each repeat, as a ratio of minimums over repeats. A timed request is a
Bridge.call_each like every other call: it ends when its results (a large array by its digest)
have reached the grader, so work deferred to the results' encoding is timed. Where the kernel has
a control group (autograder/sandbox/cgroup.py: the grader runs as root on Linux) the ratio is of
CPU times that busy neighbours cannot move: for the student, the CPU every process of the kernel
used from the request's start until its results arrived (encoding and sending them included,
which only counts against the student); for the naive reference, the CPU time of the grader's
thread. Sleeping hides no work (every process the kernel starts is in its group) and the
grader's own time reading the results is not the student's, so neither counts. Elsewhere the
ratio is of wall times. Requests after the first make as many calls as the student's function
needs SPEED_TARGET seconds of CPU for. The timed calls' results are checked as well.
"""

from __future__ import annotations

import time

import numpy as np

from autograder.checks import Check, CheckResult, Context
from autograder.checks.values import Unusable, reply_failure
from autograder.students.selfcheck.loops import loops_message


class Timing:
    """How an assignment's function of one kind is timed, a subclass per kind (e.g. a loss
    ``f(W, X, y, reg)``, a distance matrix ``f(X, X_train)``), in the assignment's grading/.

    shapes: {shape: what it stands for}, the shapes timed (every correct solution must handle them);
    args: the argument expressions of ``_c``, the case in the kernel, as the part's other calls
        pass them (a timed request is a Bridge.call_each like any other);
    describe(shape): the shape in words, for messages ("N=1000, D=10, C=10");
    case(rng, shape): one call's inputs, a dict of its arguments;
    call(function, case): the function called on a case (here: the naive reference);
    batch(rng, shape, calls): the cases of one timed request, fresh for every call so that no
        result can be reused (a large input the calls share is one array object: sent once);
    verify(name, value, case, oracle): raises values.Unusable if one timed call's returned value
        (a bridge Value) is not the oracle's result on that case;
    advice: what a function too slow should do instead.
    """

    shapes: dict = {}
    args: tuple = ()
    advice = "Replace the loops with whole-array operations."

    def describe(self, shape) -> str:
        return ", ".join(f"{k}={v}" for k, v in zip("NDC", shape))

    def case(self, rng: np.random.Generator, shape) -> dict:
        raise NotImplementedError

    def call(self, function, case: dict):
        return function(**case)

    def batch(self, rng: np.random.Generator, shape, calls: int) -> list[dict]:
        raise NotImplementedError

    def verify(self, name: str, value, case: dict, oracle) -> None:
        raise NotImplementedError


SPEED_TARGET = 0.15  # seconds of work per timed request: the naive reference's at first, then the student's
SPEED_WALL = 1.0  # at most this many wall seconds per request (a function that sleeps uses little CPU)
SPEED_CALLS = (4, 1000)  # bounds on the calls per timed request
NAIVE_CALLS = 3  # naive reference times before the first request (then one more after each), fastest kept
NAIVE_RECENT = 30.0  # seconds for which this process's times of the naive reference count for later submissions
SPEED_REPEATS = 5  # timed requests per measurement, fastest kept (a vectorized function's are short: cheap)
SPEED_CLEAR = 2  # after this many requests, a ratio clearly under or over twice the factor ends the measurement
SPEED_EVIDENT = 4.0  # a ratio over this times the factor ends it at the first request (it can only be too low)
NEAR_CPU = 0.8  # with CPU time, a ratio under this times the factor is clearly under it
SPEED_VERIFIED = 4  # timed calls whose results are read back and checked, picked at random after the calls
SPEED_ATTEMPTS = 3
SPEED_FACTOR = 3.0


NO_LOOPS = "no Python loops (for, while, comprehensions, map, np.vectorize, recursion)"


def speed_title() -> str:
    return f"at least {SPEED_FACTOR:g}x faster than the naive reference"


def loop_check(weight: float) -> Check:
    """The loop check, as an assignment declares it (id ``no-loops``) with its weight."""
    return Check("no-loops", NO_LOOPS, weight)


def timed_check(weight: float) -> Check:
    """The speed check, as an assignment declares it (id ``speed``) with its weight."""
    return Check("speed", speed_title(), weight)


def no_loops(ctx: Context, name: str, check: Check) -> CheckResult:
    message = loops_message(ctx.sources or {name: ctx.source}, name, ctx.setup)
    return check.fail(message) if message else check.ok()


def speed_check(ctx: Context, name: str, naive, check: Check, timing: Timing, oracle=None) -> CheckResult:
    """The student's function must be SPEED_FACTOR x faster than the naive reference on each
    of ``timing``'s shapes; its timed results must equal ``oracle``'s (default: the reference's)."""
    for shape, what in timing.shapes.items():
        measured = measure_speed(ctx, name, naive, shape, timing, oracle)
        if isinstance(measured, str):
            return check.fail(measured)
        ratio, student, reference = measured
        if ratio < SPEED_FACTOR:
            clock = ("CPU time" if ctx.bridge.sandbox.cpu_seconds() is not None
                     else "wall time, as this grader cannot read the kernel's CPU time")
            return check.fail(
                f"with {what} ({timing.describe(shape)}), {name} took {student * 1e3:.2f} ms per call against "
                f"{reference * 1e3:.2f} ms for the naive reference ({clock}): only {ratio:.1f}x faster (needs "
                f"{SPEED_FACTOR:g}x). {timing.advice}")
    return check.ok()


def measure_speed(ctx: Context, name: str, naive, shape, timing: Timing, oracle=None):
    """The best (ratio, student s per call, naive s per call) of up to SPEED_ATTEMPTS
    measurements, stopping at the first that reaches SPEED_FACTOR, or at one clearly under it
    (a loop is slow every time; only a near miss is worth measuring again); or a failure message.
    Within a measurement, timing stops early once the ratio is clearly under or over the factor.
    "Clearly under" is under NEAR_CPU x the factor with CPU time, which the load barely moves,
    and under half of it with wall time."""
    best = None
    near = SPEED_FACTOR * (NEAR_CPU if ctx.bridge.sandbox.cpu_seconds() is not None else 0.5)
    for _ in range(SPEED_ATTEMPTS):
        measured = _speed_ratio(ctx, name, naive, shape, timing, oracle, near)
        if isinstance(measured, str):
            return measured
        best = max(best or measured, measured)
        if best[0] >= SPEED_FACTOR or best[0] < near:
            break
    return best


def _speed_ratio(ctx: Context, name: str, naive, shape, timing: Timing, oracle=None, near: float = SPEED_FACTOR / 2):
    """(naive / student ratio, student s per call, naive s per call), or a failure message.
    Minimum over repeats of each; fresh inputs every call so nothing can be cached; results of
    timed calls picked afterwards are checked too, so answering fast with garbage earns nothing.
    A timed request is a Bridge.call_each like every other call: it ends when the results (large
    arrays by their digests) have reached the grader, so work deferred to their reading is timed.
    The first request makes as many calls as the naive reference needs SPEED_TARGET seconds
    for; later ones as many as the student's function needs SPEED_TARGET seconds of CPU for (at
    most SPEED_WALL seconds of wall time), so that the request's own messages, which count
    against the student, stay small beside its work even when the machine is busy."""
    oracle = oracle or ctx.reference[name]
    cpu = ctx.bridge.sandbox.cpu_seconds() is not None
    naive_times = _naive_times(ctx, naive, shape, timing, 1)  # one of this submission's own, at least
    earlier = NAIVE_TIMES.recent(naive, shape)
    naive_times += earlier + _naive_times(ctx, naive, shape, timing, NAIVE_CALLS - 1 - len(earlier))
    calls = _calls(SPEED_TARGET / min(wall for _, wall in naive_times))
    student_times = []  # (seconds per call the load cannot move, or None; wall seconds per call) per request
    for _ in range(SPEED_REPEATS):
        cases = timing.batch(ctx.rng, shape, calls)
        used, wall, replies, work = _timed(ctx, name, timing, cases, cpu=cpu)
        failed = next((r for r in replies if r is None or not r.ok), False)
        if failed is not False:
            return reply_failure(name, failed) if failed is not None else (
                f"while being timed, {name} did not return a result for every call.")
        student_times.append((None if used is None else used / calls, wall / calls))
        ratio, student, reference = _ratio(naive_times, student_times)
        if ratio < SPEED_EVIDENT * SPEED_FACTOR:  # (one more naive time can only lower the ratio, and an evident one stays over the factor)
            naive_times += _naive_times(ctx, naive, shape, timing, 1)
            ratio, student, reference = _ratio(naive_times, student_times)
        # The load and the messages only add to the student's time, and the naive reference's is
        # the fastest of several calls: a ratio far over the factor needs no second request.
        stop = (len(student_times) >= SPEED_CLEAR and not near <= ratio < 2 * SPEED_FACTOR) \
            or ratio >= SPEED_EVIDENT * SPEED_FACTOR
        # Verify some of the results, chosen after the request ended (large ones revealed now,
        # against the digests that came back with the request).
        picked = sorted(int(i) for i in ctx.rng.choice(calls, size=min(SPEED_VERIFIED, calls), replace=False))
        ctx.bridge.reveal([replies[i] for i in picked])
        try:
            for i in picked:
                timing.verify(name, replies[i].value, cases[i], oracle)
        except Unusable as exc:
            return f"while being timed, {name} did not compute correct results: on {timing.describe(shape)} {exc}."
        if stop:
            break
        # By the CPU the calls used (not the messages' time, which does not grow with the calls).
        per_call = (work if work is not None else wall) / calls
        calls = _calls(min(SPEED_TARGET / max(per_call, 1e-7), SPEED_WALL / max(wall / calls, 1e-7)))
    return ratio, student, reference


def _calls(count: float) -> int:
    return int(np.clip(np.ceil(count), *SPEED_CALLS))


def _ratio(naive_times, student_times):
    """(ratio, student s per call, naive s per call) from the fastest of each: by the times
    the load cannot move where every request has one, else by wall time. The request's
    messaging cost is included in the student's time: it only counts against."""
    if all(used is not None for used, _ in student_times):
        times = (min(c for c, _ in naive_times), min(c for c, _ in student_times))
    else:
        times = (min(w for _, w in naive_times), min(w for _, w in student_times))
    return times[0] / times[1], times[1], times[0]


def _naive_times(ctx: Context, naive, shape, timing: Timing, calls: int = NAIVE_CALLS) -> list[tuple[float, float]]:
    """(this thread's CPU seconds, wall seconds) per call of the naive reference here, on
    ``calls`` fresh inputs of ``shape`` (kept in NAIVE_TIMES)."""
    times = []
    for _ in range(calls):
        case = timing.case(ctx.rng, shape)
        cpu, wall = time.thread_time(), time.perf_counter()
        timing.call(naive, case)
        times.append((time.thread_time() - cpu, time.perf_counter() - wall))
    NAIVE_TIMES.add(naive, shape, times)
    return times


class RecentNaiveTimes:
    """The naive reference's times measured in this process in the last NAIVE_RECENT seconds, per
    function and shape (at most NAIVE_CALLS - 1, the latest). A submission graded soon after another
    measures the naive reference once before its first request instead of NAIVE_CALLS times (in a
    batch, the naive timing was half of the grader's CPU per submission), still beside its own."""

    def __init__(self):
        self.times: dict[tuple, list[tuple[float, tuple[float, float]]]] = {}

    @staticmethod
    def _key(naive, shape) -> tuple:
        return getattr(naive, "__module__", None), getattr(naive, "__qualname__", repr(naive)), shape

    def add(self, naive, shape, times: list[tuple[float, float]]) -> None:
        now = time.monotonic()
        self.times.setdefault(self._key(naive, shape), []).extend((now, t) for t in times)

    def recent(self, naive, shape) -> list[tuple[float, float]]:
        now, key = time.monotonic(), self._key(naive, shape)
        kept = [(at, t) for at, t in self.times.get(key, []) if now - at < NAIVE_RECENT][-(NAIVE_CALLS - 1):]
        self.times[key] = kept
        return [t for _, t in kept]


NAIVE_TIMES = RecentNaiveTimes()


def _timed(ctx: Context, name: str, timing: Timing, cases: list, cpu: bool = False):
    """(CPU seconds or None, wall seconds, replies, CPU seconds or None) of one request calling
    ``name`` on ``cases`` (Bridge.call_each, results not revealed yet). With ``cpu``: the CPU time
    of the kernel's control group (every process the kernel runs) from before the request until
    its last result has reached the grader; None if that cannot be read, or if the kernel was
    replaced meanwhile (which fails the request anyway)."""
    sandbox = ctx.bridge.sandbox
    restarts = sandbox.restarts
    before = sandbox.cpu_seconds() if cpu else None
    start = time.perf_counter()
    replies = ctx.bridge.call_each(name, *timing.args, cases=cases, reveal=False)
    wall = time.perf_counter() - start
    after = sandbox.cpu_seconds() if cpu else None
    if before is None or after is None or sandbox.restarts != restarts:
        return None, wall, replies, None
    return after - before, wall, replies, after - before
