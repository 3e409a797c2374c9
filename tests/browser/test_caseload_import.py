"""An LA administrator imports the caseload already running (decision 0033): a file of 200 cases with
errors in 5 rows first (the error summary and the table name each row and column), then the corrected
file, checked, confirmed and imported; the DCO's dashboard then shows the imported late items at the
stages the file gave them, and nothing was sent (axe-checked at each step)."""

import datetime

import pytest
import time_machine

from advice.models import AdviceItem, ItemStatus, Stage
from ehc.models import OutboundEmail, Role

from ..administration.caseload_sample import as_csv, as_xlsx, broken, sample_rows
from ..factories import UserFactory
from .helpers import expect, sign_in
from .scenes import at_nine

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2027, 3, 1)  # a Monday


def upload(page, name, data, mime):
    page.get_by_label("Caseload file (CSV or Excel .xlsx)").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    page.get_by_role("button", name="Upload and check").click()


def test_administrator_imports_a_caseload_and_the_dco_sees_it_at_its_real_stages(journey, ours, authenticator):
    page = journey.page
    with time_machine.travel(at_nine(TODAY), tick=True):
        rows = sample_rows(ours, today=TODAY, cases=200)
        wrong_rows, wrong = broken(rows)
        admin = UserFactory(username="la-admin-import-journey", organisation=ours.la, roles=[Role.ADMINISTRATOR])
        authenticator(admin)
        sign_in(journey, admin)
        page.goto("/administration/")
        page.get_by_role("link", name="Import a caseload").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Import a caseload")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the template (Excel, with the explanation of each column)").click()
        assert download.value.suggested_filename == "caseload-template.xlsx"
        journey.check("caseload import page")

        upload(
            page,
            "caseload.xlsx",
            as_xlsx(wrong_rows),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("There are 5 problems with the file: nothing was saved")
        for number, column in wrong:
            expect(summary).to_contain_text(f"Row {number}, {column}:")
        errors = page.get_by_role("table", name="Errors by row and column").locator("tbody tr")
        expect(errors).to_have_count(5)
        expect(errors.filter(has_text="NHS number")).to_contain_text("check digit")
        journey.check("caseload file with errors")
        assert not AdviceItem.objects.exists()

        page.get_by_role("link", name="upload it again").click()
        upload(page, "caseload-corrected.csv", as_csv(rows), "text/csv")
        expect(page.locator("#upload-status")).to_have_text("Checked: ready to import")
        expect(page.locator("#import-counts")).to_contain_text("200")
        expect(page.locator("#acting-now")).to_be_visible()
        journey.check("caseload dry run")
        assert not AdviceItem.objects.exists()

        page.get_by_role("button", name=f"Import {len(rows)} rows").click()
        expect(page.locator("#upload-status")).to_have_text("Imported")
        journey.check("caseload imported")

        outstanding = AdviceItem.objects.filter(local_authority=ours.la, status=ItemStatus.OUTSTANDING)
        counts = {
            stage: outstanding.filter(stage=stage).count()
            for stage in (Stage.CHASED, Stage.ESCALATION_1, Stage.ESCALATION_2)
        }
        assert all(counts.values()), counts
        page.context.clear_cookies()
        authenticator(ours.dco)
        sign_in(journey, ours.dco)
        page.goto("/reports/dashboard/")
        by_stage = page.get_by_role("table", name="By stage")
        for stage, label in (
            (Stage.CHASED, "Chased"),
            (Stage.ESCALATION_1, "Escalation 1"),
            (Stage.ESCALATION_2, "Escalation 2"),
        ):
            expect(
                by_stage.locator("tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))
            ).to_contain_text(str(counts[stage]))
        journey.check("DCO dashboard after the import")
        assert not OutboundEmail.objects.exists()
