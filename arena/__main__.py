"""`python -m arena …`: the command line (arena.cli).

Once the command has returned and its output is flushed, the process ends at once: tearing down
pandas and pyarrow object by object adds 0.05–0.1 s to every command, a good part of what rating
a file costs (docs/benchmarks.md, arena-rank). Nothing is left to do by then: each command opens
its database in a `with`, so every write is committed and every connection closed.
"""

import os
import sys

from arena.cli import main

code = main()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # the reader stopped early (`| head`): nothing more to say
    pass
os._exit(code)
