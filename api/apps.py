from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"

    def ready(self):
        # The administrators' page for the organisation's API clients joins their index and side
        # navigation through administration's hook: administration knows nothing of this layer above it.
        from administration.sections import ALL, Section, register_section

        register_section(
            Section(
                "api:clients",
                "API clients",
                "Keys for your organisation's other systems to use the JSON API: create one (its key is shown "
                "once), see when each was last used, revoke one.",
                ALL,
            )
        )
