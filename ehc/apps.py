from django.apps import AppConfig


class EhcConfig(AppConfig):
    name = "ehc"
    verbose_name = "Organisations and people"

    def ready(self):
        from . import checks, signals  # noqa: F401
        from .form_messages import product_messages_install

        product_messages_install()
