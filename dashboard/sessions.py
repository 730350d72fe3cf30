"""Closed browser sessions give their memory back (issue #18).

When a browser tab closes, Streamlit (1.67) keeps the session for
``server.disconnectedSessionTTL`` seconds (120) so a reconnect can resume it.
Three things then keep its memory (found with ``gc.get_referrers`` walks in a
running server; see BENCHMARKS.md, #18 "Session 3"):

* the store of disconnected sessions expires entries only when it is next
  touched (a new connection), so after the last user leaves nothing expires;
* a session that leaves the store (expired, or evicted by a newer one) is
  dropped without ``AppSession.shutdown()``, so its uploaded files stay in the
  upload manager (keyed by the session id), with the bytes of each upload;
* even a shut-down session stays alive, whole: the runtime's message loop
  (``Runtime._loop_coroutine``) keeps the last session it flushed in its loop
  variable until another session connects, and with it the session state: the
  uploaded files, the parsed tables and the page's globals (widget callbacks).

:func:`start_reaper` hooks the store's removal callback, so every session that
leaves it (unless it is being resumed) is shut down as Streamlit shuts down a
closed session, and starts one background thread per server that every
``REAP_EVERY_S`` seconds expires the sessions whose time is up, shuts down the
removed ones on the server's event loop, empties each shut-down session (its
state, fragments and message queue) once its script has stopped, whoever still
holds the session object, and hands the freed memory back to the operating
system. It reads Streamlit's runtime through private attributes; if they are
missing (another Streamlit version) it does nothing and says so once in the
log, and the app works as before.
"""
from __future__ import annotations

import ctypes
import gc
import json
import logging
import os
import sys
import threading
import time
import weakref

import streamlit as st

REAP_EVERY_S = 15
_LOG = logging.getLogger(__name__)

#: sessions that left the store of disconnected sessions and are not being resumed: appended by
#: the store's removal callback (on whichever thread touched the store), drained by the reaper
_removed: list = []
#: weak references to shut-down sessions still to be emptied (their script had not yet stopped)
_to_empty: list = []


def _parts():
    """(event loop, session manager, stored-session cache, its lock) of the running server, or
    None."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    rt = Runtime.instance()
    mgr = getattr(rt, "_session_mgr", None)
    cache = getattr(getattr(mgr, "_session_storage", None), "_cache", None)
    lock = getattr(mgr, "_storage_lock", None)
    try:
        loop = rt._get_async_objs().eventloop
    except Exception:  # noqa: BLE001 - runtime not started yet
        return None
    if (cache is None or lock is None or not hasattr(cache, "expire")
            or not hasattr(cache, "_on_remove") or not hasattr(mgr, "is_active_session")):
        return None
    return loop, mgr, cache, lock


def _hook_store(mgr, cache) -> None:
    """Make the store report every session it lets go (idempotent).

    A session being resumed is put back among the active sessions before the store deletes
    it, so the callback can tell a resumed session (left alone) from one that is gone."""
    previous = cache._on_remove
    if getattr(previous, "_fd_reaper", False):
        return

    def on_remove(session_id, info):
        if previous is not None:
            previous(session_id, info)
        if not mgr.is_active_session(session_id):
            _removed.append(info)

    on_remove._fd_reaper = True
    cache._on_remove = on_remove


def _empty(session) -> bool:
    """Drop what a shut-down session holds, once its script has stopped; True when done.

    Whatever still refers to the session object (the runtime's message loop, see above) then
    holds an empty shell."""
    if getattr(session, "_scriptrunner", None) is not None:
        return False  # its script is still unwinding and may read the state
    # fresh objects rather than clear(): SessionState.clear() keeps the widgets' metadata, whose
    # callbacks hold the page's globals (the upload, its bytes and its table)
    session._session_state = type(session._session_state)()
    session._fragment_storage = type(session._fragment_storage)()
    session._browser_queue.clear()
    return True


def release_memory() -> None:
    """Return freed memory to the operating system (pyarrow's pool, then glibc's heap).

    About 0.1 s of CPU, nearly all of it the collection (``malloc_trim`` under 1 ms), run once
    per reap and for ``RELEASE_ROUNDS`` rounds after it. ``malloc_trim`` gives back the free
    top of glibc's main arena only, so the launcher keeps every thread in that arena
    (``dashboard.serve.one_malloc_arena``)."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - pyarrow absent or pool without the call
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def reap_once(timeout: float = 30.0) -> int:
    """Shut down every session that has left the store (its reconnect window passed, or
    evicted), and empty the shut-down ones whose script has stopped; return how many sessions
    were shut down or emptied."""
    parts = _parts()
    if parts is None:
        return 0
    loop, mgr, cache, lock = parts
    _hook_store(mgr, cache)
    with lock:
        cache.expire()  # the expired sessions reach _removed through the hook
    removed = [_removed.pop() for _ in range(len(_removed))]
    if not removed and not _to_empty:
        return 0
    done, count = threading.Event(), [0]

    def shut_down(removed=removed):  # runs on the event loop, as Streamlit's own shutdowns do
        try:
            for info in removed:
                info.session.shutdown()
                _to_empty.append(weakref.ref(info.session))
            waiting = []
            for ref in _to_empty:
                session = ref()
                if session is not None and not _empty(session):
                    waiting.append(ref)
            count[0] = len(removed) + len(_to_empty) - len(waiting)
            _to_empty[:] = waiting
        finally:
            done.set()

    loop.call_soon_threadsafe(shut_down)
    done.wait(timeout)
    del removed
    release_memory()
    return count[0]


#: set to 1 to print, after each reap and release round, what of the sessions' data is still
#: alive (:func:`leftovers`); it walks every object, so it is for tests and diagnosis only
DEBUG_ENV = "FD_DEBUG_SESSIONS"


def leftovers() -> dict:
    """What of closed sessions' data the server still holds: sessions alive (also those only an
    internal reference keeps), shut-down sessions still holding state, files in the upload
    manager, UploadedFile objects, and pandas tables of 1 MB or more. After every browser has
    closed and the reaper has run, all but ``sessions`` should be 0 (the bundled trial is a
    few kB)."""
    import pandas as pd
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession, AppSessionState
    from streamlit.runtime.uploaded_file_manager import UploadedFile

    gc.collect()
    out = dict(sessions=0, shut_down_holding_state=0, uploaded_files=0, upload_manager_files=0,
               tables_1mb=0)
    for obj in gc.get_objects():
        if isinstance(obj, AppSession):
            out["sessions"] += 1
            state = obj._session_state
            if (obj._state == AppSessionState.SHUTDOWN_REQUESTED
                    and (len(state._old_state) or len(state._new_session_state)
                         or len(state._new_widget_state.widget_metadata))):
                out["shut_down_holding_state"] += 1
        elif isinstance(obj, UploadedFile):
            out["uploaded_files"] += 1
        elif isinstance(obj, pd.DataFrame) and obj.memory_usage(deep=False).sum() >= 2**20:
            out["tables_1mb"] += 1
    if Runtime.exists():
        storage = getattr(Runtime.instance()._uploaded_file_mgr, "file_storage", {})
        out["upload_manager_files"] = sum(len(files) for files in dict(storage).values())
    return out


def _debug_report() -> bool:
    """Print :func:`leftovers` when debugging; True when something of closed sessions is left."""
    if os.environ.get(DEBUG_ENV) != "1":
        return False
    left = leftovers()
    print(f"session-reaper leftovers {json.dumps(left)}", file=sys.stderr, flush=True)
    return any(n for what, n in left.items() if what != "sessions")


def _interval() -> float:
    """Every REAP_EVERY_S seconds, or a quarter of a shorter reconnect window (tests)."""
    try:
        ttl = float(st.get_option("server.disconnectedSessionTTL"))
    except Exception:  # noqa: BLE001
        return REAP_EVERY_S
    return min(REAP_EVERY_S, max(1.0, ttl / 4))


#: rounds after a reap in which freed memory is handed back again: a shut-down session's
#: script threads end, and its objects are freed, after the reap's own release has run
RELEASE_ROUNDS = 4


def _loop() -> None:
    warned, release_rounds, left = False, 0, False
    while True:
        time.sleep(_interval())
        try:
            if _parts() is None and not warned:
                _LOG.info("Session reaper: Streamlit's session store not found; not reaping.")
                warned = True
            if reap_once():
                release_rounds = RELEASE_ROUNDS
                left = _debug_report()
            elif release_rounds:
                release_rounds -= 1
                release_memory()
                left = _debug_report()
            elif left:  # debugging: a closed session's script thread may still be ending
                left = _debug_report()
        except Exception:  # noqa: BLE001 - never take the server down
            _LOG.exception("Session reaper failed; will retry")


@st.cache_resource(show_spinner=False)
def start_reaper() -> threading.Thread:
    """Hook the session store and start the reaper, once per server (the first page run calls
    this)."""
    parts = _parts()
    if parts is not None:
        _hook_store(parts[1], parts[2])
    thread = threading.Thread(target=_loop, name="session-reaper", daemon=True)
    thread.start()
    return thread


# ------------------------------------------------------------------ uploads across a reconnect
#: how often an upload page asks the browser for its uploaders' state (seconds)
UPLOAD_CHECK_EVERY_S = 5


def _file_ids(value) -> tuple:
    """The uploaded-file ids a file_uploader's value holds (None, one file or a list)."""
    files = value if isinstance(value, list) else [value]
    return tuple(getattr(f, "file_id", None) for f in files if f is not None)


def keep_uploads(*keys: str) -> None:
    """Make sure the page sees every file the browser has uploaded to these uploaders.

    Why: the browser tells the server about a finished upload only in the rerun message the
    uploader sends. Two ways that message can go missing were seen, both silent (the upload
    answered 204, no error, the page still says "Upload a file above"):

    * the websocket is down as the upload finishes: Streamlit's frontend drops the message
      ("Cannot send rerun backMessage when disconnected from server") and, after reconnecting,
      asks for a rerun only if a script was running (reproduced in
      ``tests/test_isolation_browser.py``);
    * several large uploads at once on a saturated server, with no reconnect: in a load run
      (``benchmarks/load.py``, 3 x 20 MB, load average 15-20) 2 of 3 were lost this way and
      their uploaders ended empty; the same run with this check landed 3 of 3.

    A fragment with ``run_every`` recovers both with Streamlit's own mechanisms: while one is
    on the page, the frontend reruns the whole app with its widget states after a reconnect,
    and every ``UPLOAD_CHECK_EVERY_S`` seconds it sends those states with the fragment's own
    (cheap) rerun; when an uploader then holds files this page's last full run did not see,
    the fragment reruns the page. A fragment's timed rerun never interrupts a running page.
    Call it after the uploaders, with their keys.
    """
    st.session_state["_uploads_seen"] = {k: _file_ids(st.session_state.get(k)) for k in keys}
    _upload_check(keys)


@st.fragment(run_every=UPLOAD_CHECK_EVERY_S)
def _upload_check(keys: tuple[str, ...]) -> None:
    seen = st.session_state.get("_uploads_seen") or {}
    if any(_file_ids(st.session_state.get(k)) != seen.get(k) for k in keys):
        st.rerun(scope="app")
