"""The case discussion (issue 20, "Case discussion instead of a meeting"): a thread on each case for the
professionals on it, in place of a multi-disciplinary meeting (docs/decisions/0046-case-discussion.md).

- Who is on it: `advice.discussion.access` (the organisations party to the case, never a share alone).
- What it keeps: `advice.discussion.models`, append-only (messages are never changed or deleted;
  the database refuses it), with attachments checked and scanned as advice documents are.
- Posting, mentions and read receipts: `advice.discussion.services`; reading: `.selectors`.
- The case page's "Professionals on this case" panel and the link to the discussion: `.case_page`.
"""
