"""Grading: one submission (submission.py), a batch of them in this process, local workers or a
Dask cluster (executors.py), a resumable run into OUT (run.py) over the grade store (store.py),
and the points a part's checks earn (scoring.py)."""
