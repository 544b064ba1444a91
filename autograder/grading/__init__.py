"""Grading: one submission (submission.py), a batch of them in this process, local workers or a
Dask cluster (executors.py), the grade store (store.py: OUT/results, read by outputs/run.py's resumable runs),
and the points a part's checks earn (scoring.py)."""
