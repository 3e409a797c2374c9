"""A 5,000-row caseload file is checked and imported within a minute (issue 17), here on the test
database: the time of each step is printed for the record (decision 0033 notes what was measured)."""

import time

import pytest

from administration.caseload_import.services import upload_check, upload_create, upload_import, upload_import_start
from administration.models import UploadStatus
from advice.models import AdviceItem
from ehc.models import Role
from tests import summary
from tests.factories import UserFactory

from .caseload_sample import as_xlsx, sample_rows
from .timers import D, frozen

pytestmark = pytest.mark.django_db

TODAY = D(2027, 3, 1)


def test_five_thousand_rows_import_within_a_minute(ours):
    with frozen(TODAY):
        admin = UserFactory(username="la-admin-timed", organisation=ours.la, roles=[Role.ADMINISTRATOR])
        rows = []
        cases = 2500
        while len(rows) < 5000:
            rows = sample_rows(ours, today=TODAY, cases=cases, seed=5)
            cases += 100
        # At least 5,000 rows, cut after a whole request (a request's rows must agree).
        last = rows[4999]["case_reference"]
        rows = [row for row in rows if row["case_reference"] <= last]
        data = as_xlsx(rows)
        started = time.monotonic()
        upload = upload_create(la=ours.la, user=admin, filename="big.xlsx", data=data)
        upload = upload_check(upload_id=upload.pk)
        checked = time.monotonic()
        assert upload.status == UploadStatus.READY, upload.report["errors"][:5]
        upload_import_start(upload=upload, user=admin)
        upload = upload_import(upload_id=upload.pk)
        done = time.monotonic()
        assert upload.status == UploadStatus.IMPORTED
        assert AdviceItem.objects.filter(local_authority=ours.la).count() == len(rows)
        summary.lines["caseload import"] = (
            f"caseload import of {len(rows)} rows (XLSX, {len(data):,} bytes): "
            f"dry run {checked - started:.1f} s, import {done - checked:.1f} s, total {done - started:.1f} s"
        )
        assert done - started < 60
