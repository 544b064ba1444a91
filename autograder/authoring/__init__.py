"""What TAs and instructors run on an assignment before grading: the hand-out (release.py), the
corpus test (corpus.py) and the end-to-end demo (demo.py)."""
