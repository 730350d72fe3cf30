"""`make run`'s launcher finds the port without asking Streamlit's config early."""
from dashboard.serve import _port


def test_port_from_arguments_then_environment_then_default(monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_PORT", raising=False)
    assert _port(["--server.port", "9000", "--server.headless", "true"]) == 9000
    assert _port(["--server.port=9001"]) == 9001
    assert _port([]) == 8501
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "9002")
    assert _port(["--server.headless", "true"]) == 9002


ARENAS_SCRIPT = r"""
import ctypes, os, re, sys, tempfile, threading
sys.path.insert(0, {root!r})
from dashboard.serve import one_malloc_arena
print("set" if one_malloc_arena() else "unset")
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
barrier = threading.Barrier(4)

def allocate():  # four threads allocating at once: glibc would give them arenas of their own
    barrier.wait()
    blocks = [libc.malloc(100_000) for _ in range(50)]
    barrier.wait()
    for b in blocks:
        libc.free(ctypes.c_void_p(b))

threads = [threading.Thread(target=allocate) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
libc.fopen.restype = ctypes.c_void_p
path = tempfile.mktemp()
f = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(f))
libc.fclose(ctypes.c_void_p(f))
print(len(re.findall(r'<heap nr="\d+">', open(path).read())))
os.unlink(path)
"""


def _arenas(env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", ARENAS_SCRIPT.format(root=root)], env={
        k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")
    } | env, capture_output=True, text=True, timeout=60, check=True).stdout.split()
    return out[0], int(out[1])


def test_the_launcher_keeps_every_thread_in_one_malloc_arena():
    """One arena, so the reaper's malloc_trim reaches all freed memory (dashboard/serve.py)."""
    import platform

    if platform.libc_ver()[0] != "glibc":
        return  # the setting is glibc's; elsewhere the launcher leaves malloc alone
    assert _arenas({}) == ("set", 1)
    # without it, the same threads spread over arenas of their own (what the test would miss)
    said, arenas = _arenas({"MALLOC_ARENA_MAX": "8"})
    assert said == "unset" and arenas > 1  # and an operator's own setting wins
