import os
import sys

from .cli.main import main, reuse_freed_memory

reuse_freed_memory()  # a short process: freed columns reused, not handed back and faulted in
code = main()
if sys.gettrace() is None and sys.getprofile() is None:  # not under a profiler or coverage,
    # whose reports are written at exit: leave without tearing the interpreter down (freeing
    # every module and array of a large analysis costs ~0.15 s and changes nothing). stdout
    # is flushed first; stderr is line-buffered, so its messages are already out.
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader has gone (e.g. `| head`)
        pass
    os._exit(code)
sys.exit(code)
