"""The load run's protocol-level client really drives the app (issue #18).

``benchmarks/protocol.py`` speaks Streamlit's websocket protocol so that ten sessions can be
timed without ten browsers. Its times mean something only if its runs are the runs a browser
causes: the page it receives is the Overview, a choice it makes changes what the page says,
and two of its sessions are two sessions (one's choice does not reach the other).
"""
import asyncio
import signal
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402
from protocol import ProtocolError, ProtocolSession  # noqa: E402


@pytest.fixture(scope="module")
def url():
    port = load.free_port()
    with tempfile.TemporaryFile("w+") as log:
        proc = load.start_server(port, 30, log)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def settings_line(session):
    return next(t for t in session.texts if t.startswith("**Current settings:**"))


def test_a_choice_changes_the_page_and_stays_in_its_own_session(url):
    async def scenario():
        a, b = ProtocolSession(url), ProtocolSession(url)
        try:
            await a.open()
            await b.open()
            assert "Two-sided (a difference in either direction)" in a.widgets[
                "Sidedness of the test"][2]
            assert "Welch t-test, two-sided" in settings_line(a)

            await a.choose(r"Sidedness", "One-sided: treatment lower")
            assert "Welch t-test, one-sided (treatment lower)" in settings_line(a)
            await a.choose(r"^Method$", "Mann")
            assert "Mann-Whitney U, one-sided (treatment lower)" in settings_line(a)
            assert not a.exceptions

            await b.choose(r"^Method$", "Student")  # b's own rerun: a's choices are not in it
            assert "Student t-test, two-sided" in settings_line(b)
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())


def test_an_option_the_page_does_not_offer_is_refused(url):
    async def scenario():
        s = ProtocolSession(url)
        try:
            await s.open()
            with pytest.raises(ProtocolError, match="no single option"):
                await s.choose(r"Sidedness", "Three-sided")
            with pytest.raises(ProtocolError, match="0 widgets"):
                await s.choose(r"^No such widget$", "x")
        finally:
            await s.close()

    asyncio.run(scenario())


def test_another_page_by_its_url_name(url):
    async def scenario():
        s = ProtocolSession(url)
        try:
            await s.open("Data")
            assert "1. Choose or upload data" in s.texts  # the Data page's first step
            assert "Data" in s.texts and "Sidedness of the test" in s.widgets  # title, sidebar
        finally:
            await s.close()

    asyncio.run(scenario())
