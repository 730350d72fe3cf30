"""The session reaper's hook on Streamlit's store of disconnected sessions (issue #18).

Streamlit keeps a closed tab's session in a TTL cache for ``server.disconnectedSessionTTL``
seconds. Sessions leave it three ways: a reconnect resumes them (Streamlit puts the session back
among the active ones, then deletes it from the store), their time passes, or a newer session
evicts them. Only the last two must be shut down. These tests drive Streamlit's own TTLCache
(the store's ``_cache``) through those three ways; the browser test
``tests/test_isolation_load.py`` checks the whole path in a running server.
"""
import threading

import pytest
from streamlit.runtime.caching.ttl_cache import TTLCache

from dashboard import sessions


class Manager:
    """The one method of Streamlit's session manager the hook reads."""

    def __init__(self):
        self.active = set()

    def is_active_session(self, session_id):
        return session_id in self.active


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def store():
    sessions._removed.clear()
    clock, mgr = Clock(), Manager()
    cache = TTLCache(maxsize=2, ttl=120, timer=clock)
    sessions._hook_store(mgr, cache)
    yield cache, mgr, clock
    sessions._removed.clear()


def test_a_resumed_session_is_left_alone(store):
    cache, mgr, _ = store
    cache["a"] = "session a"
    mgr.active.add("a")  # Streamlit's connect_session: back among the active ones, then delete
    del cache["a"]
    assert sessions._removed == []


def test_an_expired_session_is_handed_to_the_reaper(store):
    cache, _, clock = store
    cache["a"] = "session a"
    clock.now = 121
    cache.expire()
    assert sessions._removed == ["session a"]


def test_a_session_expired_by_another_connection_is_handed_to_the_reaper_too(store):
    # a write to the store (another tab closing) reaps expired entries without a shutdown
    cache, _, clock = store
    cache["a"] = "session a"
    clock.now = 121
    cache["b"] = "session b"
    assert sessions._removed == ["session a"]


def test_a_session_evicted_by_newer_ones_is_handed_to_the_reaper(store):
    cache, _, _ = store
    for key in "abc":  # maxsize 2
        cache[key] = f"session {key}"
    assert sessions._removed == ["session a"]


def test_hooking_twice_reports_once_and_keeps_an_earlier_callback():
    sessions._removed.clear()
    seen = []
    cache = TTLCache(maxsize=5, ttl=1, timer=Clock(), on_remove=lambda k, v: seen.append(k))
    mgr = Manager()
    sessions._hook_store(mgr, cache)
    sessions._hook_store(mgr, cache)
    cache["a"] = "session a"
    del cache["a"]
    assert sessions._removed == ["session a"] and seen == ["a"]
    sessions._removed.clear()


# ------------------------------------------------------------------ the reap, then the release
class Session:
    """What the reaper touches of Streamlit's AppSession."""

    def __init__(self, events, name, running=False):
        self.events, self.name = events, name
        self._scriptrunner = object() if running else None
        self._session_state, self._fragment_storage = {"table": name}, {"f": 1}
        self._browser_queue = []

    def shutdown(self):
        self.events.append(f"shut down {self.name}")


class Info:
    def __init__(self, session):
        self.session = session


class Loop:
    def call_soon_threadsafe(self, fn):
        fn()


@pytest.fixture
def server(monkeypatch):
    """A server whose store holds one session closed 121 s ago; events record the order."""
    events, clock, mgr = [], Clock(), Manager()
    cache = TTLCache(maxsize=5, ttl=120, timer=clock)
    monkeypatch.setattr(sessions, "_parts", lambda: (Loop(), mgr, cache, threading.Lock()))
    monkeypatch.setattr(sessions, "release_memory", lambda: events.append("release"))
    monkeypatch.setattr(sessions, "_removed", [])
    monkeypatch.setattr(sessions, "_to_empty", [])
    return events, clock, cache


def test_the_reaper_empties_closed_sessions_then_hands_the_memory_back(server):
    events, clock, cache = server
    a = Session(events, "a")
    cache["a"] = Info(a)
    assert sessions.reap_once() == 0 and events == []  # within its reconnect window
    clock.now = 121
    assert sessions.reap_once()  # work done: the loop's next rounds release memory again
    assert events == ["shut down a", "release"]  # the release comes after the emptying
    assert a._session_state == {} and a._fragment_storage == {}  # emptied before the release


def test_a_session_whose_script_still_runs_is_emptied_by_a_later_round(server):
    events, clock, cache = server
    b = Session(events, "b", running=True)
    cache["b"] = Info(b)
    clock.now = 121
    assert sessions.reap_once()
    # shut down, not yet emptied: its script is unwinding and may still read the state
    assert events == ["shut down b", "release"] and b._session_state == {"table": "b"}
    assert sessions.reap_once() == 0 and b._session_state == {"table": "b"}
    b._scriptrunner = None  # the script has stopped
    assert sessions.reap_once()
    assert b._session_state == {} and events[-1] == "release"
    assert sessions.reap_once() == 0 and events.count("release") == 3  # nothing left: no work


def test_with_debugging_the_reaper_reports_until_nothing_is_left(monkeypatch):
    """FD_DEBUG_SESSIONS=1: after the release rounds it keeps reporting while something of a
    closed session is still alive (a script thread ending late), then stops."""
    # something is left in the report after the reap, in every release round's and in two
    # more; the third report after the rounds finds nothing
    reports = iter([True] * (1 + sessions.RELEASE_ROUNDS + 2) + [False])
    calls, sleeps = [], []
    reaps = iter([1])

    class Stop(Exception):
        pass

    def sleep(_):
        sleeps.append(1)
        if len(sleeps) > 20:
            raise Stop

    monkeypatch.setattr(sessions, "_parts", lambda: object())
    monkeypatch.setattr(sessions, "reap_once", lambda: next(reaps, 0))
    monkeypatch.setattr(sessions, "release_memory", lambda: calls.append("release"))
    monkeypatch.setattr(sessions, "_debug_report", lambda: calls.append("report") or next(reports))
    monkeypatch.setattr(sessions.time, "sleep", sleep)
    monkeypatch.setattr(sessions, "_interval", lambda: 1)
    with pytest.raises(Stop):
        sessions._loop()
    # one report after the reap, one per release round, then reports alone until clean
    assert calls[:1 + 2 * sessions.RELEASE_ROUNDS] == (
        ["report"] + ["release", "report"] * sessions.RELEASE_ROUNDS)
    assert calls[1 + 2 * sessions.RELEASE_ROUNDS:] == ["report"] * 3  # then silence
