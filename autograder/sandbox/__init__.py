"""Sandboxed execution: a student's code runs in a Jupyter kernel of its own (kernel.py), started
through a launcher (confine.py) that runs it in bubblewrap's allowlist of what it may see
(allowlist.py), under a system-call filter (syscalls.py, loaded by inside.py), as its own user
(users.py), in a control group of its own (cgroup.py); the grader talks to it only through plain
values (bridge.py), and checks the confinement before grading (preflight.py)."""
