from django.apps import AppConfig


def _stop_advice_when_case_ends(sender, *, case, on, **kwargs):
    from .services import advice_items_cancel_for_case

    advice_items_cancel_for_case(case=case, on=on)


class AdviceConfig(AppConfig):
    name = "advice"
    verbose_name = "Health advice"

    def ready(self):
        # What assessments, a layer below, learns from advice without importing it
        # (docs/decisions/0020-one-way-layers.md).
        from assessments.access import register_case_party
        from assessments.sections import register_case_section, register_caseload_columns, register_caseload_filter
        from assessments.signals import case_ended

        from . import access, case_page, gate
        from .discussion import case_page as discussion_page

        register_case_party(access.provider_party_to_case)
        register_case_section(case_page.ADVICE_SECTION)
        register_case_section(discussion_page.DISCUSSION_SECTION)
        register_case_section(discussion_page.PROFESSIONALS_SECTION)
        register_caseload_columns(case_page.caseload_columns)
        register_caseload_filter(gate.READY_TO_DRAFT, gate.ready_to_draft_q)
        case_ended.connect(_stop_advice_when_case_ends, dispatch_uid="advice.stop_advice_when_case_ends")
