"""What grading produces for people and tools: a resumable grade run into OUT (run.py), text reports and tables (reports.py), HTML
feedback (feedback.py), the final CSV with late penalties (export.py, lateness.py), nbgrader's
gradebook (gradebook.py), Gradescope (gradescope.py) and the progress bar (progress.py)."""
