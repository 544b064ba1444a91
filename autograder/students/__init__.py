"""What students get: selfcheck/ is copied as it is into every hand-out (release.py), so nothing
here imports the kit (the import contract in pyproject.toml holds it to that)."""
