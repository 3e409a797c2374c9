"""Reads for the DCO's overdue dashboard and the reports, one module per page or report.

Every figure is counted by PostgreSQL (conditional COUNTs, GROUP BY, percentile_cont), so a page
runs the same handful of queries for ten items or ten thousand. Scope always starts from
the apps' access rules (`advice.access.visible_advice_items` and `visible_advice_requests`,
`assessments.access.visible_cases`), through
`scope`: a figure can never count a row its reader could not open. Each count is defined once
(decision 0006): the outcomes of advice in `outcomes`, the dashboard's buckets in `overdue`.

- `scope`: the LAs, providers, teams and cases whose figures a reader may see.
- `overdue`: the dashboard's figures; `owed` and `escalation_2`: its lists.
- `items`: the dashboard's filtered list and its CSV export.
- `periods`, `outcomes`: report periods, and what became of advice.
- `audit`, `monthly`, `timeliness`: the three reports.
"""
