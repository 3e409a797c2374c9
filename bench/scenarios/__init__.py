"""The scenarios of issue 8: each the app's own code path against its floor (bench.floors).

Scenarios whose code lives on branches not merged yet name the interface they call; until it is
importable their app side raises Skip with that name, and their floor is still timed.
"""

from .common import Context
from .etas import NoLongEtas, scan_for_long_etas
from .letters import LetterRendering
from .lists import Caseload, CaseloadPage, Digest, DigestFull, PractitionerItems, ProviderItems
from .pages import CaseDetail, DcoDashboard, DcoDashboardProvider, SpocQueue
from .search import SearchName, SearchNhsNumber, SearchShortName
from .sweep import SweepBacklog, SweepBatch, SweepIdle

__all__ = ["ALL", "Context", "scan_for_long_etas", "select"]

ALL = [
    SweepIdle,
    SweepBatch,
    SweepBacklog,
    DcoDashboard,
    DcoDashboardProvider,
    SpocQueue,
    CaseDetail,
    Digest,
    DigestFull,
    Caseload,
    CaseloadPage,
    ProviderItems,
    PractitionerItems,
    LetterRendering,
    NoLongEtas,
    SearchName,
    SearchShortName,
    SearchNhsNumber,
]


def select(only=None):
    """The scenarios whose code starts with one of `only` (e.g. "B1,B8" gives B1, B8a, B8b, ...)."""
    wanted = [code.strip().upper() for code in (only or "").split(",") if code.strip()]

    def matches(code, prefix):
        return code == prefix or (code.startswith(prefix) and not code[len(prefix)].isdigit())

    return [cls() for cls in ALL if not wanted or any(matches(cls.code.upper(), code) for code in wanted)]
