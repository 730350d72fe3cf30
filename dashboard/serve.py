"""Start the dashboard: ``python -m dashboard.serve [streamlit options]`` (``make run``).

Streamlit imports a page's modules only when the first browser connects, which
would make the first visitor wait about a second for pandas, scipy, plotly and
the statistics engine. Here a background thread imports them as soon as the
server is listening, while the browser is still loading Streamlit's own
scripts. (Not before: the imports would then slow the server's own start.)
Options are passed to ``streamlit run``.

It also keeps uploaded data off the disk (see README, "Uploaded data stay in memory"):
the web framework under Streamlit (Starlette) would spool any upload over 1 MB to a
temporary file, so :func:`keep_uploads_in_memory` raises that threshold above the upload
limit, and :func:`memory_temp_dir` points every temporary file of this process and its
children (Chromium drawing the charts) at a private folder on memory-backed storage.
And it has freed memory given back to the system: pyarrow's jemalloc pool
(:func:`arrow_pool_that_gives_back`) and one glibc malloc arena for every thread
(:func:`one_malloc_arena`), which the session reaper trims (``dashboard/sessions.py``).
glibc's ``mmap_threshold`` is left to glibc: fixing it at 256 kB gave back memory too (1.21x
instead of 1.43x of the start after closed uploads) but cost every large computation fresh
pages (the 1M-row upload's reading, checks, analysis and integrity report: 5.9 -> 7.5 s CPU,
system time 1.0 -> 2.4 s).
"""
from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


#: memory-backed storage on Linux; temporary files of the server go in a private folder there
SHM = Path("/dev/shm")


def keep_uploads_in_memory() -> None:
    """Make Starlette hold every uploaded file in memory, never in a temporary file.

    Streamlit receives uploads with Starlette's multipart parser, which keeps a file in a
    ``SpooledTemporaryFile`` up to ``MultiPartParser.spool_max_size`` (1 MB) and then moves
    it to an unnamed file on disk. Streamlit reads the whole upload into memory straight
    after parsing and refuses bodies over ``server.maxUploadSize`` while they stream in, so
    an unlimited spool costs no extra memory and bounds nothing that was bounded before.
    Idempotent; called by the launcher and again when the upload module is imported (so a
    server started with plain ``streamlit run`` is covered too).
    """
    from starlette.formparsers import MultiPartParser

    MultiPartParser.spool_max_size = sys.maxsize


def memory_temp_dir(base: Path = SHM) -> Path | None:
    """A private (0700) folder on memory-backed storage for every temporary file.

    Sets ``TMPDIR`` (inherited by Chromium, which kaleido starts to draw the charts) and
    Python's :data:`tempfile.tempdir`; the folder is removed when the server exits.
    Returns None, changing nothing, where there is no ``/dev/shm`` (the other safeguards
    still hold: see the README).
    """
    if not (base.is_dir() and os.access(base, os.W_OK)):
        return None
    folder = Path(tempfile.mkdtemp(prefix="fd-dashboard-", dir=base))  # mode 0700
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def arrow_pool_that_gives_back() -> None:
    """Have pyarrow allocate from its jemalloc pool, which hands freed memory back to the system.

    pandas 3 keeps text columns in pyarrow arrays, so an uploaded table lives mostly in
    pyarrow's memory pool. Its default pool here (mimalloc) kept the freed memory of closed
    sessions: with every session's objects collected, the server stayed at 1.54x its starting
    memory (2 sessions, 2 x 20 MB uploads); with jemalloc (Arrow configures it to purge freed
    pages after about a second) it came back to 1.06x, with the system allocator 1.13x
    (BENCHMARKS.md, #18 "Session 3"). Set before pyarrow is first imported; an operator's own
    ``ARROW_DEFAULT_MEMORY_POOL`` wins, and Arrow falls back to its default if a build has no
    jemalloc.
    """
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


#: glibc's mallopt parameter for the most arenas malloc may create (malloc.h)
M_ARENA_MAX = -8


def one_malloc_arena() -> bool:
    """Have glibc's malloc serve every thread from its main arena; True if it was set.

    glibc gives each new thread that allocates while others do its own arena (up to 8 per
    core). A page's script runs in its session's thread, so an upload's parsing spreads over
    several arenas; and ``malloc_trim``, which the session reaper calls once closed sessions
    are emptied, hands back the free space at the top of the main arena only, not of the
    others. After 5 x 49 MB uploads and every session closed, their freed tops stayed
    resident (one arena: 58 MB, all of it free; 1.27-1.43x the starting memory); with one
    arena the same run ended at 1.09x (BENCHMARKS.md, #18 "Session 4"), and the 1M-row
    upload path cost the same CPU (7.6 vs 7.7 s, medians of 6, within the noise). Script
    threads take Python's interpreter lock to allocate, so they rarely wait for the arena.
    Called before any other thread starts; an operator's own ``MALLOC_ARENA_MAX`` or glibc
    tunable wins. Does nothing where the C library is not glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 1) == 1
    except (OSError, AttributeError):  # not glibc
        return False


def _port(args: list[str]) -> int:
    """The port Streamlit will listen on: ``--server.port``, else its variable, else 8501.

    Read from the arguments rather than Streamlit's config, which is not final until
    Streamlit has parsed them (reading it earlier makes Streamlit warn of a change).
    """
    for i, arg in enumerate(args):
        if arg.startswith("--server.port="):
            return int(arg.split("=", 1)[1])
        if arg == "--server.port" and i + 1 < len(args):
            return int(args[i + 1])
    return int(os.environ.get("STREAMLIT_SERVER_PORT", 8501))


def _serving(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def _import_page_modules(port: int):
    deadline = time.monotonic() + 30
    while not _serving(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    # hand the interpreter lock back to the server often, so it keeps serving the
    # browser's requests while this thread imports
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        import dashboard.export  # noqa: F401
        import dashboard.figures  # noqa: F401
        import dashboard.figures_programme  # noqa: F401
        import dashboard.state  # noqa: F401
        import fd_stats.data.trial
        import scipy.stats  # noqa: F401 - the integrity report's binomial and Fisher tests (~1.7 s)

        fd_stats.data.trial.load_trial()  # the bundled Parquet: pyarrow's first use
    except Exception:  # noqa: BLE001 - only a head start; the page reports its own errors
        pass
    finally:
        sys.setswitchinterval(interval)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    one_malloc_arena()
    arrow_pool_that_gives_back()
    memory_temp_dir()
    keep_uploads_in_memory()
    try:
        port = _port(args)
    except ValueError:
        port = None  # Streamlit reports the bad option itself
    if port is not None:
        threading.Thread(target=_import_page_modules, args=(port,), name="import-page-modules",
                         daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *args]
    cli.main()


if __name__ == "__main__":
    main()
