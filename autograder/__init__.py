"""The kit's engine: ``python -m autograder VERB ...`` (cli.py); README.md says what is where."""

import sys

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
# (a jupyterlab dependency), which compiles a lark grammar at import: 1.3 s of CPU in every
# process of the kit (the CLI, each pool worker). The kit never checks "iri" formats (nbformat's
# schema has none, and no validation here asks for format checking): without the module,
# jsonschema simply leaves those two formats unchecked. Set only if nothing imported it yet.
sys.modules.setdefault("rfc3987_syntax", None)
