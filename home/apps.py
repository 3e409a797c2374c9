from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Each user's home page"

    def ready(self):
        # The demo's annual reviews (reviews.demo) join the demo's year, so that the home page's review
        # counts have rows to show. escalation builds the demo and sits below reviews, so a layer above
        # both registers the step (escalation.demo.register_demo_step).
        from escalation.demo import register_demo_step
        from reviews.demo import seed_reviews

        register_demo_step(seed_reviews)
