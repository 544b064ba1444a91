"""Command line: ``python -m autograder VERB ...``. Each verb forwards to a keyword-only main."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.assignments import find_assignment
from autograder.layout import command

# Each verb imports what it needs when it runs (numpy, Jupyter, nbgrader, Dask, SQLAlchemy take
# seconds together), so that `--help` and every verb start in a fraction of a second. The errors
# that stop a verb are therefore named here, not imported: an error raised was defined by a
# module that is loaded by then (_is_one_of).

#: Errors that stop a run before anyone is graded (exit status 2), by defining module and name.
NOTHING_GRADED_ERRORS = (("autograder.assignments", "UnknownAssignment"), ("autograder.checks", "ChecksMismatch"),
                         ("autograder.grading.executors", "ClusterError"),
                         ("autograder.sandbox.preflight", "KernelsUnavailable"),
                         ("autograder.sandbox.preflight", "ConfinementMissing"),
                         ("autograder.authoring.release", "StaleRelease"))
#: Another run is writing to OUT (exit status 3).
OUTPUT_BUSY_ERRORS = (("autograder.grading.store", "OutputBusy"),)


#: Exit statuses of ``grade`` (the README lists them).
EXIT_GRADED = 0  # every submission graded (its grade may be 0, with the reason in its report)
EXIT_SOME_NOT_GRADED = 1  # the grader failed on some submissions: run again to grade them
EXIT_NOTHING_GRADED = 2  # nothing graded: a bad SUBMISSIONS folder, kernels that cannot start...
EXIT_OUTPUT_BUSY = 3  # another run is writing to OUT


def grade_main(*, submissions: Path, out: Path, student: str | None = None, seed: int = 0, workers: int = 1,
               regrade: bool = False, hide: tuple = (), dask: str | None = None, confine: bool = True,
               assignment: str | None = None, stale_release: bool = False) -> int:
    import os

    from tqdm import tqdm

    from autograder.outputs.run import grade_run
    from autograder.intake import assignment_of, find_submissions
    from autograder.outputs.progress import GradeProgress
    from autograder.outputs.reports import grade_table, run_summary

    chosen = assignment_of(submissions, assignment)
    find_submissions(submissions, chosen.id)  # a wrong SUBMISSIONS folder is said before any kernel starts
    if not stale_release:
        from autograder.authoring.release import require_fresh

        require_fresh(chosen.source)  # graded by what the students have, or not at all
    from autograder.checks import load_all
    from autograder.parts import load_parts

    load_all(chosen.source, load_parts(chosen.source))  # parts and checks must match, before any kernel starts
    if not confine:
        os.environ["AUTOGRADER_NO_CONFINE"] = "1"  # this process and its workers
    with GradeProgress(lines=sys.stdout) as bar:
        # The sandbox's probe runs before anyone is graded (while the graders get ready); its
        # line goes above the bar. A run with nothing left to grade starts no kernel.
        grades = grade_run(submissions, out, student=student, regrade=regrade, base_seed=seed, workers=workers,
                           hide=hide, dask=dask, progress=bar, planned=bar.plan, require_confinement=confine,
                           source=chosen.source, probed=lambda report: tqdm.write(report.line, file=sys.stderr))
    print()
    print(grade_table(grades), end="")
    print(f"\ngrades: {Path(out) / 'grades.csv'}; reports: {Path(out) / 'reports'}/ and {Path(out) / 'feedback'}/")
    print(run_summary(grades, out), end="")
    failed = sum(g.grader_failed for g in grades)
    return EXIT_GRADED if not failed else EXIT_SOME_NOT_GRADED if failed < len(grades) else EXIT_NOTHING_GRADED


def release_main(*, force: bool = False, assignment: str | None = None, check: bool = False) -> int:
    """Release the named assignment, or every assignment of the kit; with ``check``, write
    nothing and say what is wrong (exit 1) or that all is well (exit 0)."""
    from autograder.authoring import release as releasing
    from autograder.assignments import all_assignments
    from autograder.layout import ROOT
    from autograder.authoring.release import ReleaseError, release

    chosen_ones = [find_assignment(assignment)] if assignment else all_assignments()
    if check:
        failed = 0
        for chosen in chosen_ones:
            problems = releasing.check(chosen.source)
            failed += bool(problems)
            print(f"{chosen.id}: " + ("ok: the hand-out is fresh, every part has hidden and public checks, the points agree"
                                      if not problems
                                      else f"{len(problems)} problem(s)"))
            for problem in problems:
                print(f"  - {problem}")
        return 1 if failed else 0
    for chosen in chosen_ones:
        try:
            done = release(source=chosen.source, force=force)
        except ReleaseError as exc:
            print(f"error: {chosen.id}: {exc}", file=sys.stderr)
            return 1
        for path, what in done.items():  # only what changed; the rest in one line
            if what != releasing.UNCHANGED:
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{'removed' if what == releasing.REMOVED else 'wrote'} {shown}{' (new)' if what == releasing.ADDED else ''}")
        unchanged = sum(what == releasing.UNCHANGED for what in done.values())
        print(f"{chosen.id}: {unchanged} file(s) unchanged" if unchanged < len(done) else
              f"{chosen.id}: the hand-out is unchanged ({unchanged} files)")
        for problem in releasing.check(chosen.source):  # released, but the TA hears of it now
            print(f"warning: {chosen.id}: {problem}", file=sys.stderr)
    return 0


def handout_main(verb: str, args: list, assignment: str | None = None) -> int:
    """``check`` and ``collect``: exactly what a student runs, the hand-out's own selfcheck
    (assignment/<id>/selfcheck), here with the kit's Python. The assignment: the one named, else
    the one whose hand-out's notebook has the name of the notebook given, else the only one."""
    import os
    import subprocess

    from autograder.assignments import all_assignments

    if assignment is None and args:
        named = Path(args[0]).name if Path(args[0]).suffix == ".ipynb" else None
        matching = [a for a in all_assignments() if named and (a.release / named).is_file()
                    or not named and any(Path(args[0]).glob(f"{a.id}*.ipynb"))]
        assignment = matching[0].id if len(matching) == 1 else None
    release = find_assignment(assignment).release
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(release), os.environ.get("PYTHONPATH", "")]),
               PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ inside the hand-out
    return subprocess.run([sys.executable, "-m", "selfcheck", verb, *map(str, args)], env=env).returncode


def _secret_option(verb) -> None:
    verb.add_argument("--secret", type=Path, help="the course's secret, from which (with --seed and each submission's "
                                                  "content) the hidden inputs are drawn (default: $AUTOGRADER_SECRET, "
                                                  "else ~/.config/autograder/course-secret, made on first use); every "
                                                  "verb reading the same grades must use the same")


def _base_seed(args) -> int:
    from autograder.grading.seeds import base_seed, course_secret

    return base_seed(course_secret(args.secret), args.seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=command(""), description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    assignment_help = ("the assignment (the folder name under solutions/); default: the one the submissions are "
                       "named after, or the only one")
    grade = verbs.add_parser("grade", help="grade every submission in SUBMISSIONS/<student_id>/<assignment>/")
    grade.add_argument("--assignment", help=assignment_help)
    grade.add_argument("submissions", type=Path)
    grade.add_argument("--out", type=Path, required=True, help="folder for grades.csv and reports/")
    grade.add_argument("--student", help="grade only this student and update only their row")
    grade.add_argument("--seed", type=int, default=0, help="base seed of the random check inputs, with the course's "
                                                           "secret (default 0)")
    _secret_option(grade)
    grade.add_argument("--workers", type=int, default=1, help="submissions graded side by side (default 1)")
    grade.add_argument("--regrade", action="store_true", help="regrade everyone, even those already graded into OUT")
    grade.add_argument("--hide", type=Path, action="append", default=[],
                       help="another folder student code must not see (e.g. the nbgrader course folder); repeatable")
    grade.add_argument("--stale-release", action="store_true",
                       help="grade although assignment/<id>/ is older than solutions/<id>/ (students already have "
                            "that hand-out and the change does not concern them)")
    grade.add_argument("--no-confine", action="store_true",
                       help="grade without the sandbox (own user, namespaces, hidden kit): only where it cannot be had "
                            "and the submissions are trusted; without this flag a grader whose sandbox is not in force stops")
    grade.add_argument("--dask", metavar="ADDRESS",
                       help="grade on the workers of this Dask scheduler (tcp://host:8786); they need the same kit "
                            "and the submissions folder at the same path")
    release = verbs.add_parser("release", help="regenerate the hand-outs, assignment/<id>/, from solutions/<id>/ "
                                               "and data_scripts/ (nbgrader); refuses to overwrite changed files")
    release.add_argument("--assignment", help="release only this assignment (default: every one)")
    release.add_argument("--check", action="store_true",
                         help="write nothing; check that the hand-out is fresh, that every part has its check cell, "
                              "hidden and public checks and every check a part, and that the prose and the points "
                              "table give each part the metadata's points (exit 1 if not)")
    release.add_argument("--force", action="store_true", help="replace hand-out files even if they differ from the last release")
    corpus = verbs.add_parser("corpus", aliases=["selftest"],
                                help="for TAs: grade the reference, the release and solutions/<id>/grading/corpus/ "
                                     "and compare with what each entry expects; exit 1 on any unexpected verdict")
    corpus.add_argument("--assignment", help="the assignment (default: the only one)")
    corpus.add_argument("--corpus", type=Path, help="another corpus folder (default: the assignment's)")
    corpus.add_argument("--only", help="run only this corpus entry")
    corpus.add_argument("--workers", type=int, default=2, help="submissions graded side by side (default 2)")
    check = verbs.add_parser("check", help="what a student's `python -m selfcheck check` prints for NOTEBOOK (the hand-out's public checks)")
    check.add_argument("notebook", type=Path)
    check.add_argument("--assignment", help="whose hand-out's self-check (default: the one with that notebook's name)")
    collect = verbs.add_parser("collect", help="what a student's `python -m selfcheck collect` does: the zip to hand in")
    collect.add_argument("notebook", type=Path, help="the notebook, or the folder holding it")
    collect.add_argument("--zip", type=Path, help="where to write the zip (default: next to the notebook)")
    collect.add_argument("--assignment", help="whose hand-out's self-check (default: the one with that notebook's name)")
    export = verbs.add_parser("export", help="the last grade run as one CSV for a spreadsheet or LMS, late penalties "
                                             "applied, and OUT/feedback/<student_id>.html")
    export.add_argument("submissions", type=Path)
    export.add_argument("--out", type=Path, required=True, help="the folder `grade` wrote into (nothing is regraded)")
    export.add_argument("--assignment", help=assignment_help)
    export.add_argument("--csv", type=Path, help="where to write the CSV (default: OUT/export.csv)")
    export.add_argument("--seed", type=int, default=0, help="the --seed the grades were made with (default 0)")
    _secret_option(export)
    export.add_argument("--deadline", help="ISO date-time with its time zone, e.g. 2026-11-20T23:59:00+00:00 "
                                           "(without it, nobody loses points)")
    export.add_argument("--late-penalty", default="0",
                        help="points (5) or percent of the max score (10%%) off per started --per late (default 0)")
    export.add_argument("--per", choices=["day", "hour"], default="day", help="the penalty's period (default day)")
    export.add_argument("--grace", default="0", help="lateness forgiven, e.g. 15m, 2h, 1d (default 0); "
                                                     "past it, lateness counts from the deadline")
    export.add_argument("--max-penalty", help="the most lateness can cost, points or percent (default: the whole score)")
    export.add_argument("--percent-of", choices=["max", "earned"], default="max",
                        help="what a percentage in --late-penalty and --max-penalty is of: the max score (default) "
                             "or the score the submission earned")
    export.add_argument("--extensions", type=Path, help="a CSV of student_id,new_deadline (ISO, with time zone): "
                                                         "their own deadlines")
    export.add_argument("--gradebook", metavar="URL", help="nbgrader's gradebook (SQLAlchemy URL, e.g. sqlite:///COURSE/"
                                                          "gradebook.db) to read the written answers' scores and "
                                                          "graders' overrides from: the CSV is then the final grade")
    export.add_argument("--missing-timestamp", choices=["on-time", "max"], default="on-time",
                        help="a submission without timestamp.txt: counted as on time (default), or the maximum penalty")
    gradebook = verbs.add_parser("gradebook", help="write OUT's grades into nbgrader's gradebook (for nbgrader export and the formgrader)")
    gradebook.add_argument("out", type=Path, help="the --out folder of a grade run")
    gradebook.add_argument("--db", help="the gradebook's SQLAlchemy URL (default: COURSE/gradebook.db, nbgrader's default)")
    gradebook.add_argument("--course", type=Path, help="the nbgrader course folder; notebooks go to COURSE/autograded/ for the formgrader")
    gradebook.add_argument("--submissions", type=Path, help="the graded SUBMISSIONS folder (default: COURSE/submitted)")
    gradebook.add_argument("--assignment", help=assignment_help)
    gradebook.add_argument("--seed", type=int, default=0, help="the --seed the grades were made with (default 0)")
    _secret_option(gradebook)
    gradescope = verbs.add_parser("gradescope", help="build the autograder zip to upload to a Gradescope programming assignment")
    gradescope.add_argument("--out", type=Path, help="where to write the zip (default: out/<assignment>/autograder.zip)")
    gradescope.add_argument("--assignment", help="the assignment (default: the only one)")
    _secret_option(gradescope)
    demo = verbs.add_parser("demo", help="release, grade three sample submissions, print the table")
    demo.add_argument("--out", type=Path, default=Path("out/demo"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.verb == "grade":
            return grade_main(submissions=args.submissions, out=args.out, student=args.student, seed=_base_seed(args),
                              workers=args.workers, regrade=args.regrade, hide=tuple(args.hide), dask=args.dask,
                              confine=not args.no_confine, assignment=args.assignment,
                              stale_release=args.stale_release)
        if args.verb == "release":
            return release_main(force=args.force, assignment=args.assignment, check=args.check)
        if args.verb in ("corpus", "selftest"):
            from autograder.authoring import corpus as corpus_test

            return corpus_test.main(assignment=find_assignment(args.assignment), corpus=args.corpus, only=args.only,
                                 workers=args.workers)
        if args.verb == "check":
            return handout_main("check", [args.notebook.resolve()], args.assignment)
        if args.verb == "collect":
            return handout_main("collect", [args.notebook.resolve()] + (["--zip", args.zip.resolve()] if args.zip else []),
                                args.assignment)
        if args.verb == "export":
            from autograder.outputs import export

            return export.main(submissions=args.submissions, out=args.out, csv_path=args.csv, deadline=args.deadline,
                               late_penalty=args.late_penalty, per=args.per, grace=args.grace,
                               max_penalty=args.max_penalty, missing_timestamp=args.missing_timestamp,
                               seed=args.seed, base_seed=_base_seed(args),
                               assignment=args.assignment, percent_of=args.percent_of,
                               extensions=args.extensions, gradebook_url=args.gradebook)
        if args.verb == "gradebook":
            from autograder.outputs import gradebook

            return gradebook.main(out=args.out, db_url=args.db, course=args.course, submissions=args.submissions,
                                  assignment=args.assignment, seed=args.seed, base_seed=_base_seed(args))
        if args.verb == "gradescope":
            from autograder.outputs import gradescope

            return gradescope.main(out=args.out, assignment=args.assignment, secret=args.secret)
        if args.verb == "demo":
            from autograder.authoring import demo

            return demo.main(out=args.out)
    except Exception as exc:
        if isinstance(exc, FileNotFoundError) or _is_one_of(exc, NOTHING_GRADED_ERRORS):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_NOTHING_GRADED
        if _is_one_of(exc, OUTPUT_BUSY_ERRORS):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_OUTPUT_BUSY
        raise
    return 1


def _is_one_of(exc: Exception, errors: tuple) -> bool:
    """Whether ``exc`` is one of ``errors`` ((module, class name) pairs); a module that is not
    loaded defined nothing that was raised, and is not imported."""
    return any(isinstance(exc, getattr(sys.modules[module], name)) for module, name in errors if module in sys.modules)
