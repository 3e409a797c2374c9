from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Each user's home page"
