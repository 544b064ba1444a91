"""Students' HTML feedback: what a wrong submission is told, escaped, self-contained, and with
nothing of the hidden checks or the reference solution in it."""

import datetime as dt
import html
import html.parser
import re
from pathlib import Path

import markupsafe
import nbformat
import pytest

from autograder import checks as checks_module
from autograder.checks import CheckResult
from autograder.outputs.feedback import feedback_path, render_feedback, write_feedback
from autograder.grading.executors import grade_all
from autograder.outputs.lateness import Lateness
from linear import RELEASE, SOLUTIONS
from autograder.parts import nbgrader_meta
from autograder.grading.scoring import PartResult, StudentGrade
from autograder.authoring.corpus import parse_entry, write_submission
from linear import CORPUS

HOSTILE = "<img src=x onerror=alert(1)> & <script>alert(2)</script>"
RAISES_HTML = f"def rel_error(x, y):\n    raise ValueError({HOSTILE!r})\n"
N_TIMES = "The loss is N times too large: average the data loss over the N examples."


@pytest.fixture(scope="module")
def wrong_grade(tmp_path_factory):
    """A real grade of the release with two parts written wrong: the SVM loss not averaged over
    N, and rel_error raising an exception whose message is HTML."""
    root = tmp_path_factory.mktemp("submitted")
    not_averaged = parse_entry(CORPUS / "svm_vec_not_averaged.py").cells["svm_loss_vectorized"]
    write_submission(root, "wrong", {"svm_loss_vectorized": not_averaged,
                                     "rel_error": RAISES_HTML}, RELEASE)
    (grade,) = grade_all(root)
    return grade


class Tags(html.parser.HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self, page: str):
        super().__init__()
        self.tags = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def checks_shown(page: str) -> dict:
    """{(part, check name): (marked failed, the text of its list item)}."""
    shown = {}
    for section in page.split("<section")[1:]:
        part = html.unescape(re.search(r"<h2><code>(.*?)</code>", section).group(1))
        for chunk in section.split("<li ")[1:]:
            item = chunk.split("</li>")[0]
            name = html.unescape(item.split("</span>", 1)[1].split("<div", 1)[0]).strip()
            shown[part, name] = ('class="failed"' in item.split(">", 1)[0], html.unescape(item))
    return shown


def test_a_wrong_submission_is_shown_the_failing_check_and_its_hint(wrong_grade):
    page = render_feedback(wrong_grade)
    failed, text = checks_shown(page)["svm_loss_vectorized", "loss on random inputs of several shapes, reg = 0"]
    assert failed and N_TIMES in text
    passing = StudentGrade("ok", 1, [PartResult("p", 1, [CheckResult("c", "a check", 1, True)])])
    assert checks_shown(render_feedback(passing)) == \
        {("p", "a check"): (False, 'class="passed" data-check="c"><span class="mark" title="passed">✓</span>a check\n')}
    assert f"seed {wrong_grade.seed}" in page
    assert f"Score: <strong>{wrong_grade.score:g}</strong> / {wrong_grade.max_score:g}" in page
    for part in wrong_grade.parts:
        assert f"<code>{part.name}</code><span class=\"points\">{part.points:g} / {part.max_points:g}</span>" in page


def test_html_in_a_students_error_message_is_escaped(wrong_grade):
    page = render_feedback(wrong_grade)
    (rel_error,) = [p for p in wrong_grade.parts if p.name == "rel_error"]
    assert any(HOSTILE in c.message for c in rel_error.checks)  # the student's text reached the grade...
    assert HOSTILE not in page and str(markupsafe.escape(HOSTILE)) in page  # ...and only escaped into the page
    assert {tag for tag, _ in Tags(page).tags} <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p",
                                                   "strong", "div", "ul", "li", "span", "table", "tr", "th", "td", "a",
                                                   "code", "section"}


def test_feedback_is_self_contained(wrong_grade):
    for tag, attrs in Tags(render_feedback(wrong_grade)).tags:
        assert tag not in {"script", "link", "img", "iframe"} and "src" not in attrs
        assert attrs.get("href", "#").startswith("#")


def test_feedback_holds_no_line_of_the_checks_or_the_reference_solution(wrong_grade):
    text = html.unescape(render_feedback(wrong_grade))
    checks = {line.strip() for path in [*Path(checks_module.__file__).parent.glob("*.py"), *(SOLUTIONS / "grading").glob("*.py")]
              for line in path.read_text().splitlines()}
    solution = set()
    for path in SOLUTIONS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
                for block in re.findall(r"### BEGIN SOLUTION(.*?)### END SOLUTION", cell.source, flags=re.S):
                    solution |= {line.strip() for line in block.splitlines()}
    checks, solution = ({line for line in lines if len(line) > 12} for lines in (checks, solution))
    assert len(checks) > 300 and len(solution) > 30  # there is something to leak
    assert [line for line in checks | solution if line in text] == []


def test_every_text_a_student_controls_is_escaped_and_lateness_is_shown():
    evil = "<script>alert('x')</script>"
    grade = StudentGrade("eve", 7, [PartResult("rel_error", 3, problem=f"the cell does not run: {evil}"),
                                    PartResult("svm_loss_naive", 15, [CheckResult("evil", evil, 1, True),
                                                                      CheckResult("loss", "the loss", 1, False, evil)])],
                         notes=[f"graded {evil}.ipynb instead"])
    late = Lateness(dt.datetime(2026, 11, 22, 1, 30, tzinfo=dt.UTC), dt.timedelta(hours=25.5), 2.5)
    page = render_feedback(grade, late)
    assert "<script>" not in page and page.count(str(markupsafe.escape(evil))) == 4
    assert "Score: <strong>5</strong> / 18" in page  # 7.5 auto-graded, minus 2.5
    assert "Submitted 2026-11-22 01:30:00 UTC,\n25.5 hours after the deadline" in page
    assert "late penalty &minus;2.5" in page
    untimed = render_feedback(grade, Lateness(None, None, 0.0))
    assert "No submission time was recorded (no timestamp.txt):\ncounted as on time" in untimed


def test_write_feedback_writes_one_page_per_student(tmp_path):
    grades = [StudentGrade(name, 1, [PartResult("p", 1, [CheckResult("c", "a check", 1, name == "ann")])]) for name in ("ann", "bo")]
    write_feedback(grades, tmp_path)
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["ann.html", "bo.html"]
    assert feedback_path(tmp_path, "bo").read_text(encoding="utf-8") == render_feedback(grades[1])
