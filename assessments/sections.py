"""What the apps above assessments add to its pages, registered from their `AppConfig.ready()`, so
that assessments imports nothing from them (docs/decisions/0020-one-way-layers.md).

- Case page sections (`register_case_section`): health advice (advice.case_page) and chases and
  escalations (escalation.case_page). Each reads its short lists with the case's own row, as JSON
  arrays annotated on it (`annotate`), then builds what its template shows (`build`), in order.
  A section may pass what it read to the later ones through `read` (the exceptions and escalation
  sections reuse the advice items of the advice section, so the page reads them once).
- Caseload columns (`register_caseload_columns`): the outstanding and overdue advice counts of
  each case in the LA's list (advice.case_page).
- Caseload filters (`register_caseload_filter`): a stage of the caseload's "Stage" filter that
  another app defines, "Ready to draft" (advice.gate.ready_to_draft_q, the drafting gate open).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseSection:
    # The name its content goes by in the page's context, which its template reads.
    name: str
    # Included on the case page, sections in `order`.
    template: str
    order: int
    # annotate(user, case_ref) -> {name: expression}: what the case row carries for the section.
    annotate: Callable
    # build(case=, user=, today=, read=) -> the section's content. `read` starts with the case's
    # exceptions; sections are built by `build_order`, so one may use what another read before it
    # even where it shows above it.
    build: Callable
    build_order: int = 0


_case_sections: dict[str, CaseSection] = {}
_caseload_columns: list[Callable] = []
_caseload_filters: dict[str, Callable] = {}


def register_case_section(section: CaseSection) -> CaseSection:
    _case_sections[section.name] = section
    return section


def case_sections() -> list[CaseSection]:
    return sorted(_case_sections.values(), key=lambda section: section.order)


def register_caseload_columns(annotate: Callable) -> Callable:
    """`annotate(today) -> {name: expression}`, correlated with the case row (OuterRef('pk'))."""
    if annotate not in _caseload_columns:
        _caseload_columns.append(annotate)
    return annotate


def caseload_columns(today) -> dict:
    columns = {}
    for annotate in _caseload_columns:
        columns.update(annotate(today))
    return columns


def register_caseload_filter(name: str, q: Callable) -> Callable:
    """`q() -> Q` on Case: the cases of the caseload's `stage=<name>`."""
    _caseload_filters[name] = q
    return q


def caseload_filter(name: str):
    """The registered filter's Q, or None for a stage nobody registered."""
    q = _caseload_filters.get(name)
    return q() if q is not None else None
