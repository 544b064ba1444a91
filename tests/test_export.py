"""Late penalties, nbgrader's timestamp.txt, and the CSV export of a grade run."""

import csv
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbgrader.exchange.abc.exchange import Exchange

from autograder.outputs import export
from autograder.checks import CheckResult
from autograder.outputs.feedback import feedback_path
from autograder.outputs.run import grade_run
from autograder.grading.store import kit_fingerprint, record_fingerprint
from autograder.intake import Submission
from autograder.outputs.lateness import MISSING, PERIODS, Amount, LatePolicy, parse_duration, read_timestamp
from autograder.parts import load_parts
from linear import SOLUTIONS
from autograder.grading.store import OutputFolder
from autograder.grading.scoring import PartResult, StudentGrade
from autograder.outputs.reports import number

UTC = dt.UTC
DEADLINE = dt.datetime(2026, 11, 20, 23, 59, tzinfo=UTC)
H, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
PARTS = load_parts(SOLUTIONS)
TOTAL = number(sum(p.points for p in PARTS))  # the max score, as the CSV writes it


# -- the policy's arithmetic -------------------------------------------------------------------
TEN_PERCENT_A_DAY = LatePolicy(DEADLINE, Amount(10, percent=True), DAY, dt.timedelta(minutes=15), Amount(50, percent=True))


@pytest.mark.parametrize("late, raw, penalty", [
    (-DAY, 90, 0),                                  # early
    (dt.timedelta(0), 90, 0),                       # on the dot
    (dt.timedelta(minutes=15), 90, 0),              # within grace
    (dt.timedelta(minutes=15, seconds=1), 90, 10),  # past grace: late from the deadline, one started day
    (DAY, 90, 10),                                  # exactly one day
    (DAY + dt.timedelta(seconds=1), 90, 20),        # a second day started
    (10 * DAY, 90, 50),                             # capped at 50% of 100
    (2 * DAY, 12.5, 12.5),                          # never more than the raw score
])
def test_ten_percent_per_started_day_with_grace_and_cap(late, raw, penalty):
    assert TEN_PERCENT_A_DAY.penalty(DEADLINE + late, 100, raw) == penalty


def test_points_per_started_hour_and_missing_timestamps():
    policy = LatePolicy(DEADLINE, Amount(2), H)
    assert policy.penalty(DEADLINE + 2.5 * H, 100, 80) == 6
    assert policy.penalty(None, 100, 80) == 0  # no timestamp: on time by default
    assert LatePolicy(DEADLINE, Amount(2), H, missing="max").penalty(None, 100, 80) == 80
    assert LatePolicy(DEADLINE, Amount(2), H, max_penalty=Amount(30), missing="max").penalty(None, 100, 80) == 30
    assert policy.assess(DEADLINE - H, 100, 80).late_by == dt.timedelta(0)


def test_policies_parse_from_command_line_text():
    policy = LatePolicy.parse("2026-11-20T18:59:00-05:00", rate="10%", per="hour", grace="1h30m", max_penalty="40")
    assert policy == LatePolicy(DEADLINE, Amount(10, True), H, dt.timedelta(minutes=90), Amount(40))
    assert parse_duration("0") == dt.timedelta(0) and parse_duration("2d") == 2 * DAY
    for bad in [dict(deadline="2026-11-20T23:59:00"), dict(deadline="Friday"), dict(per="week"),
                dict(rate="ten"), dict(rate="-5"), dict(grace="15 minutes"), dict(missing="zero")]:
        options = dict(deadline="2026-11-20T23:59:00+00:00") | bad
        with pytest.raises(ValueError):
            LatePolicy.parse(options.pop("deadline"), **options)


amounts = st.builds(Amount, st.just(0.0) | st.floats(0.01, 200), st.booleans())
policies = st.builds(LatePolicy, deadline=st.just(DEADLINE), rate=amounts, per=st.sampled_from(list(PERIODS.values())),
                     grace=st.timedeltas(dt.timedelta(0), 2 * DAY), max_penalty=st.none() | amounts,
                     missing=st.sampled_from(MISSING))
delays = st.timedeltas(-5 * DAY, 40 * DAY)


@given(policies, delays, delays, st.floats(1, 200), st.floats(0, 1))
def test_penalty_properties(policy, a, b, max_score, fraction):
    raw = round(max_score * fraction, 2)
    early, late = sorted([a, b])
    first, second = (policy.penalty(DEADLINE + d, max_score, raw) for d in (early, late))
    for penalty in (first, second, policy.penalty(None, max_score, raw)):
        assert 0 <= penalty <= raw
        assert policy.max_penalty is None or penalty <= policy.max_penalty.points(max_score)
    assert first <= second  # monotone in lateness
    if late <= policy.grace:
        assert second == 0  # nothing within grace
    can_cost = policy.rate.value > 0 and (policy.max_penalty is None or policy.max_penalty.value > 0) and raw > 0
    just_past_grace = policy.penalty(DEADLINE + policy.grace + dt.timedelta(microseconds=1), max_score, raw)
    assert (just_past_grace > 0) == can_cost  # the first started period counts in full


# -- nbgrader's timestamp.txt ------------------------------------------------------------------
def test_reads_the_timestamp_nbgrader_submit_writes(tmp_path):
    exchange = Exchange(timezone="UTC")  # what `nbgrader submit` writes into timestamp.txt
    exchange.set_timestamp()
    (tmp_path / "timestamp.txt").write_text(exchange.timestamp)
    assert abs(read_timestamp(tmp_path) - dt.datetime.now(UTC)) < dt.timedelta(minutes=1)
    assert read_timestamp(tmp_path).tzinfo is not None


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20 23:59:00.000000 UTC", DEADLINE),
    ("2026-11-20 18:59:00.000000 EST", DEADLINE),       # nbgrader with Exchange.timezone = America/New_York
    ("2026-11-21 00:59:00+01:00", DEADLINE),             # nbgrader zip_collect: isoformat(" ")
    ("2026-11-20 23:59:00", DEADLINE),                   # no zone: UTC, as nbgrader reads it
    ("\n", None),                                        # empty: as if missing, as nbgrader treats it
])
def test_timestamp_formats(tmp_path, text, expected):
    (tmp_path / "timestamp.txt").write_text(text)
    assert read_timestamp(tmp_path) == expected


def test_missing_and_unreadable_timestamps(tmp_path):
    assert read_timestamp(tmp_path) is None
    for text in ["2026-07-01 12:00:00.000000 PDT",  # nbgrader's parse_utc would read this as UTC
                 "last friday, I think"]:
        (tmp_path / "timestamp.txt").write_text(text)
        with pytest.raises(ValueError, match="timestamp.txt"):
            read_timestamp(tmp_path)


# -- the export --------------------------------------------------------------------------------
REL_ERROR = ("def rel_error(x, y):\n    x, y = np.asarray(x, float), np.asarray(y, float)\n"
             "    return float((abs(x - y) / np.maximum(1e-8, abs(x) + abs(y))).max())\n")


def test_export_of_a_real_grade_run_with_late_penalties(submissions, tmp_path, capsys):
    alice = submissions("alice", {"rel_error": REL_ERROR})  # the release with rel_error done: 3 points
    (alice / "timestamp.txt").write_text("2026-11-22 01:00:00.000000 UTC")  # 25 h 01 min late
    bob = submissions("bob")  # no timestamp.txt
    out = tmp_path / "out"
    # Bob's record is stored ahead, as a grade run stores it: the run must reuse it, and export read it.
    bob_grade = StudentGrade("bob", 5, [PartResult(p.name, p.points, [CheckResult("c", "a check", 1, p.name == "svm_loss_naive")])
                                        for p in PARTS])
    OutputFolder(out).save(bob_grade, record_fingerprint(Submission("bob", bob), 0, kit_fingerprint(SOLUTIONS)))
    assert [g.score for g in grade_run(submissions.root, out)] == [3, 15]

    options = dict(submissions=submissions.root, out=out, deadline="2026-11-20T23:59:00+00:00", late_penalty="1",
                   per="day", grace="15m")
    assert export.main(**options) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader((out / "export.csv").open(encoding="utf-8")))
    assert list(rows[0]) == [*export.COLUMNS, *(p.name for p in PARTS)]
    expected = {"alice": {"submitted_at": "2026-11-22 01:00:00+00:00", "late_by_hours": "25.02", "raw_score": "3",
                          "late_penalty": "2", "final_score": "1", "max_score": TOTAL, "rel_error": "3",
                          "svm_loss_naive": "0"},
                "bob": {"submitted_at": "", "late_by_hours": "", "raw_score": "15", "late_penalty": "0",
                        "final_score": "15", "max_score": TOTAL, "rel_error": "0", "svm_loss_naive": "15"}}
    assert {row["student_id"]: {k: row[k] for k in expected["bob"]} for row in rows} == expected
    assert "1 with a late penalty: alice" in printed and "no timestamp.txt (counted as on time): bob" in printed
    page = feedback_path(out, "alice").read_text(encoding="utf-8")
    assert f"Score: <strong>1</strong> / {TOTAL}" in page and "late penalty &minus;2" in page
    assert feedback_path(out, "bob").is_file()

    # Alice hands in again: her stored grade is not of this submission, so nothing is exported.
    exported = (out / "export.csv").read_text()
    (alice / "timestamp.txt").write_text("2026-11-23 09:00:00.000000 UTC")
    assert export.main(**options) == 1
    assert "alice" in capsys.readouterr().err and (out / "export.csv").read_text() == exported


def test_export_csv_without_a_deadline():
    grades = [StudentGrade("ann", 1, [PartResult("p", 2, [CheckResult("c", "a check", 1, True), CheckResult("d", "another", 1, False)])])]
    text = export.export_csv(grades, {})
    assert text == ("student_id,submitted_at,late_by_hours,auto_score,manual_score,raw_score,late_penalty,final_score,"
                    "max_score,needs_manual_grading,p\n"
                    "ann,,,1,,1,0,1,2,,1\n")  # no gradebook read: the manual columns are empty


def test_a_percentage_of_the_earned_score_and_an_extension():
    from autograder.outputs.lateness import LatePolicy

    policy = LatePolicy.parse("2026-11-20T23:59:00+00:00", rate="10%", percent_of="earned",
                              extensions={"eve": dt.datetime(2026, 11, 25, 23, 59, tzinfo=dt.UTC)})
    two_days_late = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    assert policy.penalty(two_days_late, max_score=100, raw_score=60) == pytest.approx(12)  # 2 x 10% of 60, not of 100
    assert policy.for_student("eve").penalty(two_days_late, max_score=100, raw_score=60) == 0  # her deadline is later
    assert policy.for_student("ann").penalty(two_days_late, max_score=100, raw_score=60) == pytest.approx(12)
    of_max = LatePolicy.parse("2026-11-20T23:59:00+00:00", rate="10%")
    assert of_max.penalty(two_days_late, max_score=100, raw_score=60) == pytest.approx(20)


def test_extensions_are_read_from_a_csv_and_a_bad_line_is_named(tmp_path):
    from autograder.outputs.lateness import read_extensions

    good = tmp_path / "ext.csv"
    good.write_text("student_id,new_deadline\neve,2026-11-25T23:59:00+00:00\n")
    assert read_extensions(good) == {"eve": dt.datetime(2026, 11, 25, 23, 59, tzinfo=dt.UTC)}
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id,new_deadline\neve,2026-11-25T23:59:00+00:00\nbob,next friday\n")
    with pytest.raises(ValueError, match="line 3: not an ISO date-time"):
        read_extensions(bad)
    naive = tmp_path / "naive.csv"
    naive.write_text("student_id,new_deadline\neve,2026-11-25T23:59:00\n")
    with pytest.raises(ValueError, match="needs a time zone"):
        read_extensions(naive)


def test_export_refuses_unusable_options_and_timestamps(submissions, tmp_path, capsys):
    folder = submissions("ann")
    options = dict(submissions=submissions.root, out=tmp_path / "out")
    assert export.main(**options, late_penalty="10%") == 2  # a penalty without a deadline
    assert export.main(**options, deadline="2026-11-20T23:59:00") == 2  # no time zone
    (folder / "timestamp.txt").write_text("2026-07-01 12:00:00.000000 CEST")
    assert export.main(**options, deadline="2026-11-20T23:59:00+00:00") == 2
    errors = capsys.readouterr().err
    assert "need --deadline" in errors and "time zone" in errors and "CEST" in errors
    assert not (tmp_path / "out" / "export.csv").exists()


def test_one_score_reads_the_same_in_every_output():
    """A score is rounded once, to 2 decimals, and written by one formatter: the feedback page,
    the CSVs, the report, Gradescope's results, the progress line and the grade table agree."""
    from autograder.outputs import gradescope
    from autograder.outputs.feedback import render_feedback
    from autograder.outputs.progress import student_line
    from autograder.outputs.reports import grade_table, grades_csv, number, student_report

    checks = [CheckResult("c", "a check", 1, True), CheckResult("d", "another", 2, False)]
    policy = LatePolicy.parse("2026-11-20T23:59:00+00:00", rate="10%", percent_of="earned")
    bo = StudentGrade("bo", 1, [PartResult("p", 74.04, checks[:1])])
    late = policy.assess(DEADLINE + H, bo.max_score, bo.score)  # 10% of the score: 7.404
    (row,) = csv.DictReader(export.export_csv([bo], {"bo": late}).splitlines())
    assert row["final_score"] == "66.64" and "Score: <strong>66.64</strong> / 74.04" in render_feedback(bo, late)

    grade = StudentGrade("ada", 1, [PartResult("p", 111.11, checks), PartResult("q", 12345.67, checks[:1])])
    assert grade.score == 12382.71  # 37.04 + 12345.67
    late = policy.assess(DEADLINE + 3 * H, grade.max_score, grade.score)  # 10% of the score: 1238.271
    (row,) = csv.DictReader(export.export_csv([grade], {"ada": late}).splitlines())
    assert (row["raw_score"], row["late_penalty"], row["final_score"]) == ("12382.71", "1238.27", "11144.44")
    assert float(row["raw_score"]) - float(row["late_penalty"]) == pytest.approx(float(row["final_score"]), abs=1e-9)
    page = render_feedback(grade, late)
    assert f"Score: <strong>{row['final_score']}</strong> / {row['max_score']}" in page, page
    assert f"late penalty &minus;{row['late_penalty']}" in page and "3 hours after the deadline" in page
    shown = f"{number(grade.score)}/{number(grade.max_score)}"
    assert shown == "12382.71/12456.78"
    assert f"Score: {number(grade.score)} / {number(grade.max_score)}" in student_report(grade)
    assert grades_csv([grade]).splitlines()[1] == "ada,12382.71,12456.78,37.04,12345.67"
    assert shown in grade_table([grade]) and student_line(grade).startswith(f"ada: {shown} (")
    assert f"{number(grade.score)} / {number(grade.max_score)}" in gradescope.results_json(grade)["output"]
    assert [number(x) for x in (15.0, 7.5, 66.632, 1e-7, -0.001)] == ["15", "7.5", "66.63", "0", "0"]
