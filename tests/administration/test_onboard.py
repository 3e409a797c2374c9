"""manage.py onboard FILE: an area's ICB, councils, providers, settings rows and first administrators
from a CSV file, once; a second run creates nothing and says so; a bad file creates nothing."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from ehc.models import AuditEvent, LocalAuthoritySettings, MessageKind, Organisation, OutboundEmail, Role, User

pytestmark = pytest.mark.django_db
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "onboard-area.csv"
HEADER = EXAMPLE.read_text().splitlines()[0]


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """manage.py onboard, its emails sent as they are after the command's commit."""

    def _run(path, *args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("onboard", str(path), *args, stdout=out)
        return out.getvalue()

    return _run


def state():
    return (
        sorted(Organisation.objects.values_list("name", flat=True)),
        sorted(User.objects.values_list("username", flat=True)),
        LocalAuthoritySettings.objects.count(),
        OutboundEmail.objects.count(),
        AuditEvent.objects.count(),
    )


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "area.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_the_example_file_creates_the_area_once(run, tmp_path):
    out = run(EXAMPLE)
    assert "Created:" in out
    assert "Integrated care board NHS Saltmarsh Integrated Care Board" in out
    assert "Local authority Saltmarsh County Council, in NHS Saltmarsh Integrated Care Board's area" in out
    assert "Saltmarsh Children's Community Health serves Saltmarsh County Council" in out
    icb = Organisation.objects.get(name="NHS Saltmarsh Integrated Care Board")
    la = Organisation.objects.get(name="Saltmarsh County Council")
    provider = Organisation.objects.get(name="Saltmarsh Children's Community Health")
    assert la.icb == icb and la.address_lines == ["County Hall", "Quay Street", "Saltmarsh", "SM1 1AA"]
    assert list(provider.served_las.all()) == [la]
    assert provider.spoc_email == "spoc@scch.example" and provider.director_name == "Casey O'Neill"
    la_settings = LocalAuthoritySettings.objects.get(local_authority=la)
    assert la_settings.dco_office_email == "dco.office@saltmarsh-icb.example"
    assert la_settings.advice_period_days == 42
    for org, email in (
        (icb, "priya.okafor@saltmarsh-icb.example"),
        (la, "alex.marsh@saltmarsh.example"),
        (provider, "drew.fenn@scch.example"),
    ):
        admin = User.objects.get(email=email)
        assert admin.organisation == org and admin.roles == [Role.ADMINISTRATOR]
        assert not admin.has_usable_password() and not admin.is_superuser
        assert AuditEvent.objects.filter(settings_of=org).exists()
    # Each administrator is sent a link to set their password: the organisation's name, nothing more.
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"priya.okafor@saltmarsh-icb.example", "alex.marsh@saltmarsh.example", "drew.fenn@scch.example"}
    body = sent["drew.fenn@scch.example"].body
    assert "Saltmarsh Children's Community Health has given you an account" in body and "/account/invitation/" in body
    assert OutboundEmail.objects.filter(kind=MessageKind.INVITATION).count() == 3

    before = state()
    again = run(EXAMPLE)
    assert "Nothing to create" in again and "Already there" in again
    assert state() == before and len(mail.outbox) == 3


def test_the_set_password_link_works(run, tmp_path, client):
    run(EXAMPLE)
    (message,) = [m for m in mail.outbox if m.to == ["alex.marsh@saltmarsh.example"]]
    link = next(word for word in message.body.split() if "/account/invitation/" in word)
    response = client.get(link[link.index("/account/") :], follow=True)
    assert response.status_code == 200
    assert 'name="new_password1"' in response.content.decode()


def test_a_dry_run_creates_nothing(run, tmp_path):
    before = state()
    out = run(EXAMPLE, "--dry-run")
    assert "Would create:" in out and "Saltmarsh County Council" in out
    assert state() == before and mail.outbox == []


def test_a_provider_can_serve_an_existing_council_and_only_the_link_is_created(run, tmp_path):
    run(EXAMPLE)
    path = write(
        tmp_path,
        "provider,Saltmarsh Children's Community Health,,,,Saltmarsh County Council;Harbour Town Council,"
        "spoc@scch.example,,,,,,,,Drew,Fenn,drew.fenn@scch.example",
        "la,Harbour Town Council,,,NHS Saltmarsh Integrated Care Board,,,,,,,,,,Sam,Reed,sam.reed@harbour.example",
    )
    out = run(path)
    assert "Local authority Harbour Town Council" in out
    assert "Saltmarsh Children's Community Health serves Harbour Town Council" in out
    assert "Already there, left as it is:" in out and "Health provider Saltmarsh Children's Community Health" in out
    provider = Organisation.objects.get(name="Saltmarsh Children's Community Health")
    assert sorted(provider.served_las.values_list("name", flat=True)) == [
        "Harbour Town Council",
        "Saltmarsh County Council",
    ]


@pytest.mark.parametrize(
    "rows, message",
    [
        (["council,Nowhere,,,,,,,,,,,,,A,B,a@b.example"], "Line 2: kind must be icb, la or provider, not council"),
        (["la,Nowhere Council,,,No Such ICB,,,,,,,,,,A,B,a@nowhere.example"], "No Such ICB is no ICB in the file"),
        (["icb,Some ICB,,,,,,,,,,,,,A,B,not-an-email"], "admin_email not-an-email is not an email address"),
        (["icb,Some ICB,,,,,,,,,,,,,,,"], "Line 2: an ICB needs admin_first_name"),
        (["icb,Some ICB,,,,,spoc@x.example,,,,,,,,A,B,a@x.example"], "spoc_email is for a health provider only"),
        (["icb,Some ICB,,,,,,,,,,,,,A,B,a@x.example", "icb,some icb,,,,,,,,,,,,,A,B,c@x.example"], "already on line 2"),
        (["provider,P,,,,Nowhere Council,s@p.example,,,,,,,,A,B,a@p.example"], "Nowhere Council is no local authority"),
        ([], "a header row and no organisation"),
    ],
)
def test_a_bad_file_creates_nothing_and_says_why(run, tmp_path, rows, message):
    before = state()
    with pytest.raises(CommandError) as raised:
        run(write(tmp_path, *rows))
    assert "nothing was created" in str(raised.value) and message in str(raised.value)
    assert state() == before and mail.outbox == []


def test_half_of_a_file_that_clashes_is_not_created(run, tmp_path):
    """The ICB row is fine, the LA row clashes with an existing provider's name: neither is created."""
    run(EXAMPLE)
    before = state()
    path = write(
        tmp_path,
        "icb,NHS Fenland ICB,,,,,,,,,,,,,Kit,Fen,kit@fenland-icb.example",
        "la,Saltmarsh Children's Community Health,,,NHS Fenland ICB,,,,,,,,,,Lee,Fen,lee@fenland.example",
    )
    with pytest.raises(CommandError, match="exists already as a health provider, not a local authority"):
        run(path)
    assert state() == before


def test_an_administrator_email_of_someone_else_is_refused(run, tmp_path):
    User.objects.create(username="taken", email="taken@fenland.example", roles=[Role.CASE_OFFICER])
    before = state()
    with pytest.raises(CommandError, match="TAKEN@fenland.example has an account already"):
        run(write(tmp_path, "icb,NHS Fenland ICB,,,,,,,,,,,,,Kit,Fen,TAKEN@fenland.example"))
    assert state() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"", "The file is empty"),
        (b"kind,name,favourite_colour\nicb,X,blue\n", "Unknown column favourite_colour"),
        (b"name\nX\n", "must name the columns kind and name"),
    ],
)
def test_unreadable_files_are_refused(run, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


def test_resend_sends_a_new_link_only_to_administrators_without_a_password(run, tmp_path):
    run(EXAMPLE)
    admin = User.objects.get(email="alex.marsh@saltmarsh.example")
    admin.set_password("a long new password 2026")
    admin.save()
    # A minute later (a second link within a minute is taken for a double click: ehc.invitations).
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        out = run(EXAMPLE, "--resend")
    assert "A new link to set their password for drew.fenn@scch.example" in out
    assert "alex.marsh@saltmarsh.example" not in out.split("Already there")[0]
    assert "A new link to set their password for priya.okafor@saltmarsh-icb.example" in out
    assert sorted(message.to[0] for message in mail.outbox[3:]) == [
        "drew.fenn@scch.example",
        "priya.okafor@saltmarsh-icb.example",
    ]
