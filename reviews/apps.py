from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Reviews of issued plans (docs/decisions/0044-annual-reviews.md): between escalation, whose
    ladder chases a review's advice like any other, and reports, which count reviews."""

    name = "reviews"
    verbose_name = "Annual reviews"

    def ready(self):
        # What assessments, a layer below, learns from reviews without importing it
        # (docs/decisions/0020-one-way-layers.md): a plan issued is reviewed, a case ended is not,
        # and the case page shows the plan's reviews.
        from assessments.sections import register_case_section
        from assessments.signals import case_ended, plan_issued

        from . import case_page
        from .services import scheduling

        plan_issued.connect(scheduling.first_review_on_plan_issued, dispatch_uid="reviews.first_review_on_plan_issued")
        case_ended.connect(scheduling.open_review_cancel_on_case_ended, dispatch_uid="reviews.cancel_on_case_ended")
        register_case_section(case_page.REVIEWS_SECTION)
