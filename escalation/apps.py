from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Chasing and escalation"

    def ready(self):
        # What the layers below learn from escalation without importing it
        # (docs/decisions/0020-one-way-layers.md): the case page's exceptions and its chases and escalations,
        # the emails about the case, and how the outbox attaches a letter.
        from assessments.sections import register_case_section
        from ehc.outbox import register_letter_attachment

        from . import case_emails, case_page, letters

        register_case_section(case_page.EXCEPTIONS_SECTION)
        register_case_section(case_page.ESCALATION_SECTION)
        register_case_section(case_emails.EMAILS_SECTION)
        register_letter_attachment(letters.letter_attachment)
