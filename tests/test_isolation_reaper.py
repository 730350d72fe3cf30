"""The session reaper's hook on Streamlit's store of disconnected sessions (issue #18).

Streamlit keeps a closed tab's session in a TTL cache for ``server.disconnectedSessionTTL``
seconds. Sessions leave it three ways: a reconnect resumes them (Streamlit puts the session back
among the active ones, then deletes it from the store), their time passes, or a newer session
evicts them. Only the last two must be shut down. These tests drive Streamlit's own TTLCache
(the store's ``_cache``) through those three ways; the browser test
``tests/test_isolation_load.py`` checks the whole path in a running server.
"""
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
