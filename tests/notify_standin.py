"""A local stand-in for the GOV.UK Notify API, for the tests and the fault suite: a real HTTP server
that the real client (notifications-python-client) talks to, not a mock of the client.

It behaves as Notify does for what the product uses: it checks the JWT each request carries (issuer
the service id, HS256 signed with the API key's secret, issued within 30 s: Notify's own rules, via
the client library's `decode_jwt_token`), accepts `POST /v2/notifications/email` (201, or Notify's
400 errors for an unknown template, missing personalisation or a bad address), stores each
notification with its reference, answers `GET /v2/notifications?reference=...` newest first with a
`next` link as Notify does, and `GET /v2/notifications/<id>`. Statuses: "sending" when accepted;
`deliver_all()` moves each to its final status, delivered unless the address is one of Notify's
simulated failures (perm-fail@simulator.notify, temp-fail@simulator.notify) or named in `outcomes`.

A notification is stored when its request has been read, before the 201 is written (optionally
after `accept_delay` seconds): a client killed in between has been accepted without knowing it, the
window the outbox's lookup closes.
"""

import datetime
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

SIMULATED = {"perm-fail@simulator.notify": "permanent-failure", "temp-fail@simulator.notify": "temporary-failure"}


def _now():
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class NotifyStandIn:
    def __init__(self, *, template_id=None, accept_delay=0.0):
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.template_id = template_id or str(uuid.uuid4())
        self.accept_delay = accept_delay
        self.notifications = []  # oldest first
        self.outcomes = {}  # address -> final status, beside the simulated addresses
        self.requests = Counter()  # ("POST", "email") / ("GET", "list") / ("GET", "one") / ("refused", ...)
        # Lookups by reference that found something: a resend the lookup prevented (or a status poll).
        self.lookups_found = 0
        self.lock = threading.Lock()
        self.activity = threading.Condition(self.lock)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def error(self, status, kind, message):
                self.answer(status, {"status_code": status, "errors": [{"error": kind, "message": message}]})

            def authorised(self):
                header = self.headers.get("Authorization", "")
                if not header.startswith("Bearer "):
                    self.error(401, "AuthError", "Unauthorized: authentication token must be provided")
                    return False
                token = header.removeprefix("Bearer ")
                try:
                    if get_token_issuer(token) != standin.service_id:
                        raise TokenError("Invalid token: service not found")
                    decode_jwt_token(token, standin.secret)
                except TokenError as error:
                    with standin.lock:
                        standin.requests["refused", self.command] += 1
                    self.error(403, "AuthError", error.message)
                    return False
                return True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self.authorised():
                    return
                if urlsplit(self.path).path != "/v2/notifications/email":
                    return self.error(404, "NotFound", "Not found")
                try:
                    data = json.loads(body)
                except ValueError:
                    return self.error(400, "BadRequestError", "Invalid JSON supplied in POST data")
                problem = standin.validate(data)
                if problem:
                    return self.error(400, *problem)
                notification = standin.accept(data)
                if standin.accept_delay:
                    threading.Event().wait(standin.accept_delay)
                fields = data.get("personalisation") or {}
                self.answer(
                    201,
                    {
                        "id": notification["id"],
                        "reference": notification["reference"],
                        "content": {
                            "subject": fields.get("subject", ""),
                            "body": fields.get("body", ""),
                            "from_email": "ehc@notifications.service.gov.uk",
                            "one_click_unsubscribe_url": None,
                        },
                        "uri": f"/v2/notifications/{notification['id']}",
                        "template": notification["template"],
                        "scheduled_for": None,
                    },
                )

            def do_GET(self):
                if not self.authorised():
                    return
                url = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(url.query).items()}
                if url.path == "/v2/notifications":
                    return self.answer(200, standin.listing(query))
                if url.path.startswith("/v2/notifications/"):
                    found = standin.one(url.path.rsplit("/", 1)[-1])
                    if found is None:
                        return self.error(404, "NoResultFound", "No result found")
                    return self.answer(200, found)
                return self.error(404, "NotFound", "Not found")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_key(self):
        """A key in Notify's format: name, service id, secret."""
        return f"ehc_test-{self.service_id}-{self.secret}"

    def validate(self, data):
        if data.get("template_id") != self.template_id:
            return "BadRequestError", "Template not found"
        address = data.get("email_address")
        if not isinstance(address, str) or "@" not in address or " " in address.strip():
            return "ValidationError", "email_address Not a valid email address"
        fields = data.get("personalisation") or {}
        missing = [name for name in ("subject", "body") if name not in fields]
        if missing:
            return "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
        return None

    def accept(self, data):
        notification = {
            "id": str(uuid.uuid4()),
            "reference": data.get("reference"),
            "email_address": data["email_address"],
            "phone_number": None,
            "type": "email",
            "status": "sending",
            "template": {"id": self.template_id, "version": 1, "uri": f"/v2/template/{self.template_id}"},
            "subject": data["personalisation"]["subject"],
            "body": data["personalisation"]["body"],
            "created_at": _now(),
            "sent_at": None,
            "completed_at": None,
            "personalisation": data["personalisation"],
            "email_reply_to_id": data.get("email_reply_to_id"),
        }
        with self.lock:
            self.notifications.append(notification)
            self.requests["POST", "email"] += 1
            self.activity.notify_all()
        return notification

    def _public(self, notification):
        return {key: value for key, value in notification.items() if key not in ("personalisation",)}

    def listing(self, query):
        with self.lock:
            self.requests["GET", "list"] += 1
            found = [
                n
                for n in reversed(self.notifications)
                if (not query.get("reference") or n["reference"] == query["reference"])
                and (not query.get("status") or n["status"] == query["status"])
                and (not query.get("template_type") or n["type"] == query["template_type"])
            ]
            if query.get("older_than"):
                ids = [n["id"] for n in found]
                found = found[ids.index(query["older_than"]) + 1 :] if query["older_than"] in ids else []
            found = found[:250]
            if found and query.get("reference"):
                self.lookups_found += 1
            links = {"current": "/v2/notifications"}
            if found:
                links["next"] = f"/v2/notifications?older_than={found[-1]['id']}"
            return {"notifications": [self._public(n) for n in found], "links": links}

    def one(self, notification_id):
        with self.lock:
            self.requests["GET", "one"] += 1
            for n in self.notifications:
                if n["id"] == notification_id:
                    return self._public(n)
        return None

    def deliver_all(self):
        """Every notification still sending reaches its final status."""
        with self.lock:
            for n in self.notifications:
                if n["status"] == "sending":
                    address = n["email_address"].lower()
                    n["status"] = self.outcomes.get(address) or SIMULATED.get(address, "delivered")
                    n["sent_at"] = n["completed_at"] = _now()

    def accepted(self):
        """Notifications accepted per (reference, address)."""
        with self.lock:
            return Counter((n["reference"], n["email_address"].lower()) for n in self.notifications)

    def wait_for_activity(self, timeout):
        """True if a notification was accepted within `timeout` seconds (the fault suite's kill timing)."""
        with self.lock:
            before = len(self.notifications)
            return self.activity.wait_for(lambda: len(self.notifications) > before, timeout)

    def dump(self, path):
        with self.lock:
            Path(path).write_text(json.dumps([[n["reference"], n["email_address"]] for n in self.notifications]))

    def close(self):
        self.server.shutdown()
        self.server.server_close()
