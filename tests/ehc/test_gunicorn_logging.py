"""gunicorn as the production shape runs it (ehc/gunicorn_conf.py): every line it writes is one JSON
object, its access lines carry the request id the application answered with, and no access line
holds a query string or a Referer (a search for a child by name would otherwise be logged)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "ehc.settings"}
    argv = [
        sys.executable, "-m", "gunicorn", "--config=python:ehc.gunicorn_conf", "ehc.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or its worker still importing Django on a busy machine.
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(log_path.read_text()) from None
                time.sleep(0.2)
        yield base, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def lines(log_path):
    return [line for line in log_path.read_text().splitlines() if line.strip()]


def test_every_line_is_json_and_the_access_line_has_the_request_id_and_no_query(served):
    base, log_path = served
    response = requests.get(
        base + "/healthz?q=Ciaran+O%27Neill&nhs=9434765919",
        headers={"Referer": base + "/cases/search/?q=Ciaran+O%27Neill"},
        timeout=30,
    )
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    time.sleep(0.5)  # the access line is written after the response
    records = [json.loads(line) for line in lines(log_path)]  # a line that is not JSON fails here
    assert any(record["logger"] == "gunicorn.error" for record in records)
    access = [record for record in records if record["logger"] == "gunicorn.access"]
    ours = [record for record in access if record.get("request_id") == request_id]
    assert len(ours) == 1
    assert '"GET /healthz" 200' in ours[0]["message"]
    text = log_path.read_text()
    assert "Ciaran" not in text and "9434765919" not in text and "search" not in text
