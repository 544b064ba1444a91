"""Feedback for students: one self-contained HTML page per student, OUT/feedback/<student_id>.html.

The page says what the text report says (autograder/outputs/reports.py), laid out for a browser: the
score, the seed that reproduces the inputs, the notes on the submission, and per part each check
with ✓ or ✗ and, for each ✗, the message with its one-sentence diagnosis. With a late policy
(export), also when the work was handed in and the late penalty. It is rendered from the grade
alone: no check code, reference solution or input reaches it except what a message says.
Everything is escaped (jinja2 autoescape), since messages quote the student's own errors; the CSS
is inline and nothing is loaded from elsewhere, so the file can be mailed or uploaded as is.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from autograder.outputs.lateness import Lateness
from autograder.outputs.reports import number
from autograder.grading.store import write_atomic
from autograder.grading.scoring import StudentGrade

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ assignment }}: feedback for {{ grade.student_id }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; line-height: 1.45;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; display: flex; justify-content: space-between;
     border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
code, .points { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.score { font-size: 1.25rem; margin: .5rem 0; }
.muted { color: #59636e; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { text-align: left; padding: .2rem .9rem .2rem 0; }
td.points { text-align: right; }
ul.checks { list-style: none; padding-left: 0; }
ul.checks li { margin: .3rem 0; padding-left: 1.6rem; text-indent: -1.6rem; }
.mark { display: inline-block; width: 1.6rem; text-indent: 0; font-weight: bold; }
.passed .mark { color: #1a7f37; }
.failed .mark, .problem { color: #cf222e; }
.message { white-space: pre-wrap; text-indent: 0; margin: .2rem 0 .5rem; padding: .4rem .6rem;
           background: #fff8f8; border-left: 3px solid #cf222e; }
.full { color: #1a7f37; }
.late { background: #fff8e5; padding: .5rem .75rem; border-left: 3px solid #bf8700; }
</style>
</head>
<body>
<h1>{{ assignment }}: feedback for {{ grade.student_id }}</h1>
{% if lateness is none %}
<p class="score">Score: <strong>{{ grade.score|num }}</strong> / {{ grade.max_score|num }}</p>
{% else %}
<p class="score">Score: <strong>{{ (grade.score - lateness.penalty)|num }}</strong> / {{ grade.max_score|num }}</p>
<div class="late">
{% if lateness.submitted_at is none %}
<p>No submission time was recorded (no timestamp.txt):
{% if lateness.penalty %}the maximum late penalty applies{% else %}counted as on time{% endif %}.</p>
{% else %}
<p>Submitted {{ lateness.submitted_at.strftime("%Y-%m-%d %H:%M:%S") }} UTC{% if lateness.late_by %},
{{ (lateness.late_by.total_seconds() / 3600)|num }} hours after the deadline{% else %}, on time{% endif %}.</p>
{% endif %}
{% if lateness.penalty %}
<p>Auto-graded score {{ grade.score|num }}, late penalty &minus;{{ lateness.penalty|num }}.</p>
{% endif %}
</div>
{% endif %}
<p class="muted">Random inputs were drawn from seed {{ grade.seed }}: grading again gives the same inputs and verdicts.
Written answers are graded by hand and are not included here.</p>
{% if grade.notes %}
<h2>Notes on your submission</h2>
<ul>
{% for note in grade.notes %}
<li>{{ note }}</li>
{% endfor %}
</ul>
{% endif %}
<table>
<tr><th>Part</th><th>Points</th></tr>
{% for part in grade.parts %}
<tr><td><a href="#part-{{ loop.index }}"><code>{{ part.name }}</code></a></td>
{% set full = ' full' if part.points == part.max_points else '' %}
<td class="points{{ full }}">{{ part.points|num }} / {{ part.max_points|num }}</td></tr>
{% endfor %}
</table>
{% for part in grade.parts %}
<section id="part-{{ loop.index }}">
<h2><code>{{ part.name }}</code><span class="points">{{ part.points|num }} / {{ part.max_points|num }}</span></h2>
{% if part.problem %}
<p class="problem">✗ {{ part.problem }}</p>
{% endif %}
{% for note in part.notes %}
<p class="note">Note: {{ note }}</p>
{% endfor %}
<ul class="checks">
{% for check in part.checks %}
{% set verdict, mark = ('passed', '✓') if check.passed else ('failed', '✗') %}
<li class="{{ verdict }}" data-check="{{ check.id }}"><span class="mark" title="{{ verdict }}">{{ mark }}</span>{{ check.title }}
{% if check.message %}
<div class="message">{{ check.message }}</div>
{% endif %}
</li>
{% endfor %}
</ul>
</section>
{% endfor %}
</body>
</html>
"""

_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENVIRONMENT.filters["num"] = number
_PAGE = _ENVIRONMENT.from_string(TEMPLATE)


def feedback_path(out: Path, student_id: str) -> Path:
    return Path(out) / "feedback" / f"{student_id}.html"


def render_feedback(grade: StudentGrade, lateness: Lateness | None = None) -> str:
    """One student's feedback page; with ``lateness``, the late penalty and the final score."""
    return _PAGE.render(assignment=grade.assignment, grade=grade, lateness=lateness)


def write_feedback(grades: list[StudentGrade], out: Path, lateness: dict[str, Lateness] | None = None) -> None:
    """OUT/feedback/<student_id>.html for each grade (with its late penalty if ``lateness``
    has the student's), each written atomically."""
    for grade in grades:
        page = render_feedback(grade, (lateness or {}).get(grade.student_id))
        write_atomic(feedback_path(out, grade.student_id), page)
