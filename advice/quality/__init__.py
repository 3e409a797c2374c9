"""The LA's quality check of returned advice: accepted, or sent back to the team with reasons
(issue 20; docs/decisions/0049-advice-quality-check.md)."""
