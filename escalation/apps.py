from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Chasing and escalation"

    def ready(self):
        # The case page's chases and escalations section, without assessments importing escalation
        # (docs/decisions/0020-one-way-layers.md).
        from assessments.sections import register_case_section

        from . import case_page

        register_case_section(case_page.ESCALATION_SECTION)
