"""What TAs and instructors run on an assignment before grading: the hand-out (release.py), the
corpus selftest (selftest.py) and the end-to-end demo (demo.py)."""
