from django.db import migrations

# The audit trail is append-only: the database itself refuses UPDATE and DELETE, so no code
# path (the admin, a shell, a bug) can rewrite history. Test teardown uses TRUNCATE, which
# is a separate privilege that a production role need not have.
SQL = """
CREATE OR REPLACE FUNCTION ehc_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ehc_auditevent_append_only
BEFORE UPDATE OR DELETE ON ehc_auditevent
FOR EACH ROW EXECUTE FUNCTION ehc_audit_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS ehc_auditevent_append_only ON ehc_auditevent;
DROP FUNCTION IF EXISTS ehc_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("ehc", "0002_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
