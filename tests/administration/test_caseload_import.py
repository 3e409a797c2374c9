"""The caseload import (decision 0033): errors by row and column with nothing saved; an import that
keeps each item's real dates and stage, sends nothing for a stage already reached and lists the items
past a step they never reached, which the sweep then takes once; the same file twice changes nothing;
a corrected file updates by the council's reference."""

import datetime
import io
import zipfile

import pytest

from administration.caseload_import.services import upload_check, upload_create, upload_import, upload_import_start
from administration.models import CaseloadUpload, ImportedCase, UploadStatus
from advice.models import AdviceItem, AdviceRequest, ItemStatus
from assessments.models import Case, Child
from ehc.models import AuditEvent, OutboundEmail, Role
from escalation.models import Escalation, StageChange
from escalation.rules import TimerRules
from tests.escalation.conftest import sweep
from tests.factories import UserFactory

from .caseload_sample import as_csv, as_xlsx, broken, sample_rows
from .timers import D, EscalationStage, MessageKind, Stage, emails, frozen

pytestmark = pytest.mark.django_db

TODAY = D(2027, 3, 1)  # a Monday


@pytest.fixture
def today():
    with frozen(TODAY) as traveller:
        yield traveller


@pytest.fixture
def admin(ours):
    return UserFactory(username="la-admin-import", organisation=ours.la, roles=[Role.ADMINISTRATOR])


def checked(admin, data, filename="caseload.csv"):
    upload = upload_create(la=admin.organisation, user=admin, filename=filename, data=data)
    return upload_check(upload_id=upload.pk)


def imported(admin, data, filename="caseload.csv"):
    upload = checked(admin, data, filename)
    assert upload.status == UploadStatus.READY, upload.report.get("errors")
    assert upload_import_start(upload=upload, user=admin)
    return upload_import(upload_id=upload.pk)


def row(ours, **values):
    base = {
        "case_reference": "HC-1",
        "first_name": "Ada",
        "last_name": "Abbot",
        "date_of_birth": "14/05/2015",
        "nhs_number": "943 476 5919",
        "upn": "",
        "uln": "",
        "child_la_id": "",
        "requested_by": "parent",
        "received_on": "01/09/2026",
        "decision_on": "",
        "provider": ours.provider.name,
        "team": ours.slt.name,
        "advice_requested_on": "05/10/2026",
        "advice_returned_on": "",
        "chased_on": "",
        "escalation_1_on": "",
        "escalation_2_on": "",
    }
    return base | values


def fingerprint():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Child, Case, AdviceRequest, AdviceItem, Escalation, StageChange, ImportedCase, OutboundEmail)
    ] + [AuditEvent.objects.exclude(object_type="caseload upload").count()]


def test_errors_are_listed_by_row_and_column_and_nothing_is_saved(ours, admin, today):
    rows, wrong = broken(sample_rows(ours, today=TODAY, cases=60))
    before = fingerprint()
    upload = checked(admin, as_csv(rows))
    assert upload.status == UploadStatus.HAS_ERRORS
    assert sorted((error[0], error[1]) for error in upload.report["errors"]) == sorted(wrong)
    messages = " ".join(error[2] for error in upload.report["errors"])
    assert "check digit" in messages and "real date" in messages and "no team called" in messages
    assert fingerprint() == before


def test_a_row_that_disagrees_with_its_request_or_orders_dates_wrongly(ours, admin, today):
    rows = [
        row(ours),
        row(ours, team=ours.ot.name, last_name="Brook"),
        row(ours, case_reference="HC-2", nhs_number="", escalation_2_on="20/01/2027"),
        row(ours, case_reference="HC-3", nhs_number="", chased_on="01/10/2026"),
        row(ours, case_reference="HC-4", nhs_number="", decision_on="=1+1"),
        row(ours, case_reference="HC-5", nhs_number="", received_on="01/09/2030"),
    ]
    upload = checked(admin, as_xlsx(rows), "caseload.xlsx")
    assert upload.status == UploadStatus.HAS_ERRORS
    found = {(error[0], error[1]): error[2] for error in upload.report["errors"]}
    assert "Differs from row 2" in found[(3, "Last name")]
    assert "escalation 2 comes after it" in found[(4, "Escalation 1 on")]
    assert "on or after advice requested" in found[(5, "Chased on")]
    assert "formula" in found[(6, "Decision to assess")]
    assert "in the past" in found[(7, "Request received")]


def test_hostile_files_are_refused_whole(ours, admin, today):
    assert checked(admin, b"PK\x03\x04" + b"\x00" * 100, "c.xlsx").report["errors"][0][2].startswith("The workbook")
    assert (
        "Excel workbook"
        in checked(admin, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "c.xls").report["errors"][0][2]
    )
    assert "UTF-8" in checked(admin, "case_reference\nCaf\xe9".encode("latin-1")).report["errors"][0][2]
    header = b"case_reference,nope\n"
    assert "that the template does not" in str(checked(admin, header + b"x,y\n").report["errors"])
    macros = io.BytesIO()
    with zipfile.ZipFile(macros, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    assert "macros" in checked(admin, macros.getvalue(), "c.xlsx").report["errors"][0][2]


def test_imported_items_keep_their_real_dates_and_stages_and_nothing_is_sent(ours, admin, today):
    rules = TimerRules.for_la(ours.la)
    asked = D(2026, 12, 28)
    due = asked + datetime.timedelta(days=42)  # 8 February 2027: chased 9 February, escalation 1 on 22 February
    chased, escalated = rules.chase_on(due), rules.escalation_1_on(due)
    rows = [
        row(
            ours,
            advice_requested_on=f"{asked:%d/%m/%Y}",
            chased_on=f"{chased:%d/%m/%Y}",
            escalation_1_on=f"{escalated:%d/%m/%Y}",
        ),
        row(ours, team=ours.ot.name, advice_requested_on=f"{asked:%d/%m/%Y}", advice_returned_on="15/02/2027"),
        row(ours, case_reference="HC-2", nhs_number="", first_name="Bea", advice_requested_on="15/02/2027"),
    ]
    upload = imported(admin, as_csv(rows))
    assert upload.status == UploadStatus.IMPORTED
    assert upload.content is None
    case = ImportedCase.objects.get(local_authority=ours.la, reference="HC-1").case
    assert case.reference.startswith("EHC-2026-") and case.child.nhs_number == "9434765919"
    late = AdviceItem.objects.get(case=case, team=ours.slt)
    assert (late.due_on, late.stage, late.chased_on, late.escalation_1_on) == (
        due,
        Stage.ESCALATION_1,
        chased,
        escalated,
    )
    # The timers take over from escalation 1: escalation 2 fourteen days after the letter's real date.
    assert late.next_action_on == rules.escalation_2_on(escalated)
    assert list(StageChange.objects.filter(item=late).values_list("stage", "on")) == [
        (Stage.CHASED, chased),
        (Stage.ESCALATION_1, escalated),
    ]
    letter = Escalation.objects.get(request=late.request, stage=EscalationStage.ESCALATION_1)
    assert letter.issued_on == escalated and letter.messages_queued_at is not None
    assert letter.response_overdue_notified  # its window (3 working days) passed before the import
    returned = AdviceItem.objects.get(case=case, team=ours.ot)
    assert (returned.status, returned.returned_on, returned.next_action_on) == (
        ItemStatus.RETURNED,
        D(2027, 2, 15),
        None,
    )
    assert AuditEvent.objects.filter(case=case, summary__contains="Before the import").exists()
    assert upload.report["today_count"] == 0
    # The sweep sends nothing for the stages already reached, and escalation 2 on its own day.
    sweep(TODAY)
    assert not OutboundEmail.objects.exists()
    sweep(late.next_action_on)
    late.refresh_from_db()
    assert late.stage == Stage.ESCALATION_2 and late.escalation_2_on == rules.escalation_2_on(escalated)
    assert emails(MessageKind.CHASE, late) == 0 and emails(MessageKind.ESCALATION_1, late) == 0


def test_an_item_past_a_stage_it_never_reached_is_listed_then_acted_on_once_today(ours, admin, today):
    rules = TimerRules.for_la(ours.la)
    asked = D(2026, 11, 2)
    due = asked + datetime.timedelta(days=42)
    rows = [
        # Chased, never escalated, though escalation 1 fell on 28 December: its letter goes today.
        row(ours, advice_requested_on=f"{asked:%d/%m/%Y}", chased_on=f"{rules.chase_on(due):%d/%m/%Y}"),
        # Never chased: the sweep's catch-up takes the chase and escalation 1 in one run, as for any item.
        row(ours, case_reference="HC-2", nhs_number="", first_name="Bea", advice_requested_on="02/11/2026"),
    ]
    upload = checked(admin, as_csv(rows))
    listed = {entry["reference"]: entry for entry in upload.report["today"]}
    assert set(listed) == {"HC-1", "HC-2"}
    assert listed["HC-1"]["reached"] == "Chased" and "escalation 1 letter is sent" in listed["HC-1"]["steps"][0]
    assert len(listed["HC-2"]["steps"]) == 2
    assert upload_import_start(upload=upload, user=admin)
    upload_import(upload_id=upload.pk)
    assert not OutboundEmail.objects.exists()
    sweep(TODAY)
    first = AdviceItem.objects.get(case__imported_as__reference="HC-1")
    assert (
        first.stage == Stage.ESCALATION_1 and first.escalation_1_on == TODAY and first.chased_on == rules.chase_on(due)
    )
    assert emails(MessageKind.CHASE, first) == 0 and emails(MessageKind.ESCALATION_1, first) == 1
    sweep(TODAY, hour=15)
    assert emails(MessageKind.ESCALATION_1, first) == 1


def test_the_same_file_twice_changes_nothing(ours, admin, today):
    data = as_csv(sample_rows(ours, today=TODAY, cases=40))
    imported(admin, data)
    before = fingerprint()
    again = checked(admin, data)
    assert again.status == UploadStatus.READY and not again.report["changes_anything"]
    assert again.report["counts"]["unchanged_cases"] == 40
    assert upload_import_start(upload=again, user=admin)
    upload_import(upload_id=again.pk)
    assert fingerprint() == before


def test_a_corrected_file_updates_by_the_councils_reference(ours, admin, today):
    imported(admin, as_csv([row(ours), row(ours, team=ours.ot.name)]))
    case = ImportedCase.objects.get(reference="HC-1").case
    item = AdviceItem.objects.get(case=case, team=ours.slt)
    assert item.stage == Stage.REQUESTED
    corrected = [
        row(ours, last_name="Abbott", chased_on="17/11/2026"),
        row(ours, team=ours.ot.name, last_name="Abbott", advice_returned_on="10/11/2026"),
        row(ours, team=ours.paeds.name, last_name="Abbott"),
    ]
    upload = imported(admin, as_csv(corrected))
    assert upload.report["counts"] | {} == upload.report["counts"]
    assert upload.report["counts"]["updated_cases"] == 1 and upload.report["counts"]["new_cases"] == 0
    assert Case.objects.count() == 1 and Case.objects.get().child.last_name == "Abbott"
    item.refresh_from_db()
    assert (item.stage, item.chased_on) == (Stage.CHASED, D(2026, 11, 17))
    assert AdviceItem.objects.get(case=case, team=ours.ot).status == ItemStatus.RETURNED
    assert AdviceItem.objects.filter(case=case, team=ours.paeds).exists()
    # What the product recorded stays: a different chase date in a later file is listed, not applied.
    third = checked(admin, as_csv([row(ours, last_name="Abbott", chased_on="18/11/2026")]))
    assert any("Chased is recorded on 17/11/2026" in note[1] for note in third.report["notes"])


def test_a_second_council_cannot_reach_the_upload(ours, theirs, admin, client, today):
    from tests.factories import verified_login

    upload = checked(admin, as_csv([row(ours)]))
    path = f"/administration/caseload/{upload.pk}/"
    outsider = UserFactory(username="la-admin-theirs-import", organisation=theirs.la, roles=[Role.ADMINISTRATOR])
    for user in (outsider, ours.case_officer, ours.dco):
        verified_login(client, user)
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert CaseloadUpload.objects.get(pk=upload.pk).status == UploadStatus.READY
    verified_login(client, admin)
    response = client.get(path)
    assert response.status_code == 200 and b"What the import will do" in response.content


def test_the_pages_read_an_imported_case_as_one_the_product_made(ours, admin, client, today):
    from django.urls import reverse

    from tests.factories import verified_login

    rules = TimerRules.for_la(ours.la)
    asked = D(2026, 12, 7)
    due = asked + datetime.timedelta(days=42)
    chased, escalated = rules.chase_on(due), rules.escalation_1_on(due)
    stages = {"chased_on": f"{chased:%d/%m/%Y}", "escalation_1_on": f"{escalated:%d/%m/%Y}"}
    imported(
        admin,
        as_csv(
            [
                row(ours, advice_requested_on=f"{asked:%d/%m/%Y}", **stages),
                row(
                    ours,
                    team=ours.ot.name,
                    advice_requested_on=f"{asked:%d/%m/%Y}",
                    **stages,
                    escalation_2_on=f"{rules.escalation_2_on(escalated):%d/%m/%Y}",
                ),
            ]
        ),
    )
    case = ImportedCase.objects.get(reference="HC-1").case
    letter = Escalation.objects.get(request__case=case, stage=EscalationStage.ESCALATION_1)
    escalated_2 = AdviceItem.objects.get(case=case, team=ours.ot)
    pages = [
        (ours.case_officer, reverse("assessments:case_detail", args=[case.pk]), f"{escalated:%-d %b %Y}"),
        (ours.dco, reverse("reports:dashboard"), "Escalation 2"),
        (ours.dco, reverse("escalation:responses_owed"), case.reference),
        (ours.dco, reverse("escalation:respond", args=[letter.pk]), case.reference),
        (ours.head_of_service, reverse("escalation:hos_queue"), case.reference),
        (ours.head_of_service, reverse("escalation:hos_outcome", args=[escalated_2.pk]), case.reference),
        (ours.spoc, reverse("advice:request_detail", args=[letter.request_id]), case.reference),
    ]
    for user, path, text in pages:
        verified_login(client, user)
        response = client.get(path)
        assert response.status_code == 200, (user, path)
        assert text in response.content.decode(), (user, path, text)
    assert not OutboundEmail.objects.exists()
