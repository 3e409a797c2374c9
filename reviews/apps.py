from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Reviews of issued plans (docs/decisions/0044-annual-reviews.md): between escalation, whose
    ladder chases a review's advice like any other, and reports, which count reviews."""

    name = "reviews"
    verbose_name = "Annual reviews"

    def ready(self):
        pass
