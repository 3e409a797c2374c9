"""An ICB's administrator: the local authorities of its area and each one's DCO/DMO office mailbox
(docs/decisions/0025-provider-and-area-settings.md). The LA's own administrator reads the mailbox."""
