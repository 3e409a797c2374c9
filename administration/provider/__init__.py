"""A health provider's administrator: its teams, its SPOC mailbox and director, and its heads of
service with the teams each covers (docs/decisions/0025-provider-and-area-settings.md)."""
