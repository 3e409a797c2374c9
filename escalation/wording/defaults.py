"""Today's wording of each text an LA can edit, with every duration and value as a placeholder: the
version in force until the LA saves one of its own (version 0)."""

ESCALATION_1_LETTER = """\
On {{ request_date }} we asked {{ provider_name }} for health advice for this child's education, \
health and care (EHC) needs assessment. Advice is due within {{ advice_period }} of the request, and \
our SEND business support team chased it on {{ chase_date }}. The following advice is still outstanding:

{{ teams_table }}

The local authority must issue the EHC plan within {{ final_plan_weeks }} weeks of the request for an \
assessment and cannot write its health sections without this advice. I ask you to make sure it is \
returned urgently.

{{ response_required }}

The Designated Clinical Officer (DCO/DMO) office, copied into this letter, will work with the teams \
concerned to return the outstanding advice and will respond to me by that date."""

ESCALATION_2_NOTICE = """\
Health advice for {{ reference }} from {{ provider_name }} is still outstanding \
{{ escalation_2_after_escalation_1 }} after the escalation 1 letter ({{ teams_phrase }}), and the \
DCO/DMO office has not recorded a resolution. It is now escalated inside health (escalation 2), \
following the health SEND escalation process.

By {{ response_due_on }} the head of service for each team records either the date the advice will be \
provided and the reason for the delay, or that it will not be provided and why."""

CHASE_EMAIL = """\
Health advice for {{ reference }}, requested by {{ la_name }} from {{ provider_name }} on \
{{ request_date }}, is overdue: it was due within {{ advice_period }} of the request. \
{{ teams_not_returned }} (their names are behind the sign-in):

{{ teams_list }}

Please chase the teams and return the advice through the service.

If the advice is still outstanding {{ escalation_1_after_due }} after it was due, the Assistant \
Director of Education will write to your director (escalation 1)."""

DIGEST_INTRO = """\
Health advice overdue to {{ la_name }} on {{ digest_date }}, oldest first ({{ items_phrase }})."""
