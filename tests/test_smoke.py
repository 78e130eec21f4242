from fastapi.testclient import TestClient


def test_healthz_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_a_worker_process_knows_every_contexts_event_handlers() -> None:
    """``agora worker`` imports no router; what it imports must still register every handler."""
    import subprocess
    import sys

    probe = (
        "import agora.cli, inspect; src = inspect.getsource(agora.cli.worker);"
        "exec(next(l.strip() for l in src.splitlines() if l.strip().startswith('import agora'))); "
        "from agora.core.events import handlers; "
        "print(sorted({t for t in ('payments.sandbox.notification', 'ordering.order_paid') "
        "if handlers.for_type(t)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['ordering.order_paid', 'payments.sandbox.notification']"
