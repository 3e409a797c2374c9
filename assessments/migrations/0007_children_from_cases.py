"""One Child per existing case, except that the cases of one LA with the same NHS number are one
child (an NHS number is one person's): that child takes the details of their latest request.

Set-based: a council's whole caseload in two INSERTs and two UPDATEs. The cases without an NHS number
are given their child's id from the child table's sequence first, and the children are inserted with
those ids (the foreign key is checked at commit, when both are there)."""

from django.db import migrations

NHS = "replace(c.nhs_number, ' ', '')"
CHILD_COLUMNS = (
    "created_at, updated_at, local_authority_id, first_name, last_name, date_of_birth, nhs_number, upn,"
    " uln, la_reference, address, postcode, setting"
)
CHILD_VALUES = (
    f"c.created_at, c.updated_at, c.local_authority_id, c.first_name, c.last_name, c.date_of_birth, {NHS},"
    " upper(replace(c.upn, ' ', '')), '', '', c.address, c.postcode, c.setting"
)

FORWARDS = [
    f"""INSERT INTO assessments_child ({CHILD_COLUMNS})
        SELECT DISTINCT ON (c.local_authority_id, {NHS}) {CHILD_VALUES}
        FROM assessments_case c WHERE {NHS} <> ''
        ORDER BY c.local_authority_id, {NHS}, c.received_on DESC, c.id DESC""",
    f"""UPDATE assessments_case c SET child_id = ch.id FROM assessments_child ch
        WHERE {NHS} <> '' AND ch.local_authority_id = c.local_authority_id AND ch.nhs_number = {NHS}""",
    """UPDATE assessments_case SET child_id = nextval(pg_get_serial_sequence('assessments_child', 'id'))
        WHERE child_id IS NULL""",
    f"""INSERT INTO assessments_child (id, {CHILD_COLUMNS})
        SELECT c.child_id, {CHILD_VALUES} FROM assessments_case c
        WHERE {NHS} = ''""",
]

# Undone: each case (and its history rows) gets its child's details back.
BACKWARDS = [
    """UPDATE assessments_case c SET first_name = ch.first_name, last_name = ch.last_name,
        date_of_birth = ch.date_of_birth, nhs_number = ch.nhs_number, upn = ch.upn, address = ch.address,
        postcode = ch.postcode, setting = ch.setting
        FROM assessments_child ch WHERE ch.id = c.child_id""",
    """UPDATE assessments_historicalcase h SET first_name = ch.first_name, last_name = ch.last_name,
        date_of_birth = ch.date_of_birth, nhs_number = ch.nhs_number, upn = ch.upn, address = ch.address,
        postcode = ch.postcode, setting = ch.setting
        FROM assessments_case c JOIN assessments_child ch ON ch.id = c.child_id WHERE h.id = c.id""",
    "UPDATE assessments_case SET child_id = NULL",
    "DELETE FROM assessments_historicalchild",
    "DELETE FROM assessments_child",
]


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_child_record")]

    operations = [migrations.RunSQL(FORWARDS, BACKWARDS)]
