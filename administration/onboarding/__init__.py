"""Onboarding a new area: a CSV file names an ICB, its local authorities, the health providers that
serve them and the first administrator of each; `manage.py onboard FILE` or the platform operator's
page creates what does not exist yet, in one transaction, and says what it created
(docs/decisions/0025-provider-and-area-settings.md; the README's "How a new council starts")."""
