"""The web container's healthcheck (ehc.probe, docker-compose.yml) against a real server: it exits 0
only on a 200, with a Host header the deployment's ALLOWED_HOSTS accepts."""

import threading

import pytest
from ruamel.yaml import YAML

from ehc import probe
from ehc.compose_check import ROOT


@pytest.mark.parametrize(
    "allowed, sent",
    [
        ("ehc.council.example,localhost", "ehc.council.example"),
        (".council.example", "council.example"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_host_sent_is_one_the_deployment_allows(allowed, sent):
    assert probe.host(allowed) == sent


@pytest.fixture
def gunicorn_stand_in():
    """The project's WSGI application on a loopback port, in a thread."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_exit_status_follows_the_answer(gunicorn_stand_in, monkeypatch, settings):
    monkeypatch.setenv("PORT", str(gunicorn_stand_in))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "ehc.council.example")
    settings.ALLOWED_HOSTS = ["ehc.council.example"]
    assert probe.main(["/healthz"]) == 0
    assert probe.main(["/no-such-page/"]) == 1
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "elsewhere.example")
    assert probe.main(["/healthz"]) == 1  # refused by the host check: 400


def test_compose_checks_web_and_worker_health_with_these_probes():
    services = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "ehc.probe", "/healthz"]
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][1]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"
