"""The simulated users of `make load` (issue 22): one class per role, weighted as real use is (case
officers 50%, SPOCs and practitioners 35%, the DCO 5%, others 10%; bench.load.users.WEIGHTS). Each
signs in once with an account of its own (bench.load.users made them) and then does its role's
journeys (bench.load.journeys) with a person's pauses between pages.

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8000   (make load runs it headless)
"""

import itertools
import os
import random
import threading

from locust import HttpUser, between, task

from bench.load import journeys
from bench.load.accounts import PASSWORD, WEIGHTS, username

# A person reads a page for a while before the next: 200 people make about 20 pages a second.
WAIT = between(float(os.environ.get("LOAD_WAIT_MIN", "5")), float(os.environ.get("LOAD_WAIT_MAX", "15")))

_numbers = {kind: itertools.count(1) for kind in WEIGHTS}
_lock = threading.Lock()


class Person(HttpUser):
    abstract = True
    kind = ""
    wait_time = WAIT

    def on_start(self):
        with _lock:
            self.username = username(self.kind, next(_numbers[self.kind]))
        self.rng = random.Random(self.username)
        journeys.sign_in(self.client, self.username, PASSWORD)
        journeys.home(self.client)


class CaseOfficer(Person):
    kind = "officer"
    weight = WEIGHTS[kind]

    @task(6)
    def caseload(self):
        journeys.caseload(self.client, self.rng)

    @task(1)
    def create_request(self):
        journeys.create_request(self.client, self.rng)


class Spoc(Person):
    kind = "spoc"
    weight = WEIGHTS[kind]

    @task
    def queue_and_acknowledge(self):
        journeys.spoc_queue(self.client, self.rng)


class Practitioner(Person):
    kind = "practitioner"
    weight = WEIGHTS[kind]

    @task(3)
    def team_queue(self):
        journeys.team_queue(self.client, self.rng, return_advice=False)

    @task(1)
    def return_advice(self):
        journeys.team_queue(self.client, self.rng)


class Dco(Person):
    kind = "dco"
    weight = WEIGHTS[kind]

    @task(2)
    def dashboard(self):
        journeys.dco_dashboard(self.client, self.rng)

    @task(2)
    def responses_owed(self):
        journeys.responses_owed(self.client, self.rng)


class LaAdministrator(Person):
    kind = "la_admin"
    weight = WEIGHTS[kind]

    @task
    def administration(self):
        journeys.administration(self.client, self.rng)


class HeadOfService(Person):
    kind = "head"
    weight = WEIGHTS[kind]

    @task
    def escalations(self):
        journeys.heads_of_service(self.client, self.rng)


class AdEducation(Person):
    kind = "ad"
    weight = WEIGHTS[kind]

    @task
    def letters_and_dashboard(self):
        journeys.ad_education(self.client, self.rng)


USER_CLASSES = [CaseOfficer, Spoc, Practitioner, Dco, LaAdministrator, HeadOfService, AdEducation]
