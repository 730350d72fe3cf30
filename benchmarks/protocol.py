"""A Streamlit session driven over its own websocket protocol, without a browser (issue #18).

The load run (``benchmarks/load.py``) measures pages in headless Chromium, one context per user.
On this 2-core machine ten Chromium contexts drawing the same pages take most of the CPU, so the
time a page takes there says more about the browsers than about the server. This client speaks
to the server as Streamlit's frontend does, with the messages of ``streamlit.proto``:

* it opens the websocket ``/_stcore/stream`` (subprotocol ``streamlit``);
* a page run is a ``BackMsg`` ``rerun_script`` with the page's name and the widget states, and
  the run has finished when the ``ForwardMsg`` ``script_finished`` says so; every message of
  the page (elements, charts, tables) has been received by then;
* a widget change is a rerun carrying the widget's new value, keyed by the widget id the page
  sent, as the browser's widget manager sends it.

What it leaves out, so what its times do not include: drawing the page (plotly, tables), the
page's HTML and scripts (a browser loads them once, from its cache after that), and the
widget values the user has not changed: the browser sends them too, the server keeps them in the
session's state either way, so the run computes the same page. Loopback only: it connects to
the URL it is given, which the load run sets to 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import re
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus


class ProtocolError(RuntimeError):
    """The server did something a browser would show as an error (an exception, a bad run)."""


class ProtocolSession:
    """One user's session: ``await s.open(page)``, then ``await s.choose(label, option)``.

    Each call returns the seconds from sending the request to the run's end. ``s.texts`` holds
    the text of the last run's markdown, headings and captions (what a reader would see), and
    ``s.widgets`` the last run's widgets by label: ``(type, id, options)``.
    """

    def __init__(self, url: str, timeout: float = 300):
        self.ws_url = re.sub(r"^http", "ws", url.rstrip("/")) + "/_stcore/stream"
        self.timeout, self.ws, self.page_hash = timeout, None, ""
        self.states: dict[str, WidgetState] = {}  # values this user has set, by widget id
        self.widgets: dict[str, tuple[str, str, list[str]]] = {}
        self.texts: list[str] = []
        self.exceptions: list[str] = []
        self.received_bytes = 0

    async def open(self, page: str = "") -> float:
        """Connect and run ``page`` ("" for the main page, else its URL name, e.g. "Data")."""
        # no size limit on a message: a page's chart or table can be several MB
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"],
                                           max_size=None, open_timeout=self.timeout)
        return await self._run(page_name=page)

    async def choose(self, label: str, option: str) -> float:
        """Set the radio or selectbox labelled ``label`` (a regular expression matched at the
        start of the label) to the option starting with ``option``, as a click does."""
        kind, widget_id, options = self._widget(label)
        matches = [o for o in options if o.startswith(option)]
        if kind not in ("radio", "selectbox") or len(matches) != 1:
            raise ProtocolError(f"{kind} {label!r}: no single option starting {option!r} "
                                f"in {options}")
        # both send the option's text (Streamlit's RadioSerde and SelectboxSerde: string_value)
        self.states[widget_id] = WidgetState(id=widget_id, string_value=matches[0])
        return await self._run(page_hash=self.page_hash)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _widget(self, label: str):
        found = [w for text, w in self.widgets.items() if re.match(label, text)]
        if len(found) != 1:
            raise ProtocolError(f"{len(found)} widgets labelled {label!r} on the page "
                                f"(labels: {list(self.widgets)})")
        return found[0]

    async def _run(self, page_name: str = "", page_hash: str = "") -> float:
        msg = BackMsg()
        msg.rerun_script.page_name = page_name
        msg.rerun_script.page_script_hash = page_hash
        msg.rerun_script.widget_states.widgets.extend(self.states.values())
        started = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        widgets, texts = {}, []
        async with asyncio.timeout(self.timeout):
            while True:
                raw = await self.ws.recv()
                self.received_bytes += len(raw)
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                kind = fwd.WhichOneof("type")
                if kind == "new_session":
                    self.page_hash = fwd.new_session.page_script_hash
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    self._read_element(fwd.delta.new_element, widgets, texts)
                elif kind == "script_finished":
                    if fwd.script_finished == FINISHED.FINISHED_SUCCESSFULLY:
                        break
                    if fwd.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                        raise ProtocolError("the page did not compile")
                    # a fragment's run or a run stopped for a newer one: keep reading
        self.widgets, self.texts = widgets, texts
        return time.monotonic() - started

    def _read_element(self, element, widgets: dict, texts: list) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "exception":
            self.exceptions.append(f"{body.type}: {body.message}"[:200])
        elif kind in ("markdown", "heading", "alert", "text"):  # captions are markdown
            texts.append(body.body)
        if getattr(body, "id", "") and getattr(body, "label", ""):
            widgets[body.label] = (kind, body.id, list(getattr(body, "options", [])))
