"""`make run`'s launcher finds the port without asking Streamlit's config early."""
from dashboard.serve import _port


def test_port_from_arguments_then_environment_then_default(monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_PORT", raising=False)
    assert _port(["--server.port", "9000", "--server.headless", "true"]) == 9000
    assert _port(["--server.port=9001"]) == 9001
    assert _port([]) == 8501
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "9002")
    assert _port(["--server.headless", "true"]) == 9002
