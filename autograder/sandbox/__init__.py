"""Sandboxed execution: a student's code runs in a Jupyter kernel of its own (kernel.py), confined
as its own user, in its own namespaces, with the kit hidden (confine.py, users.py), in a control
group of its own (cgroup.py); the grader talks to it only through plain values (bridge.py), and
checks the confinement before grading (preflight.py)."""
