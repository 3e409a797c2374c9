"""axe-core run inside the page, with the count of page states checked for the summary line.

axe is loaded by evaluating the vendored source through the DevTools protocol rather than
as a <script> element: the app's Content-Security-Policy (script-src 'self') would refuse
an inline script tag, and switching the policy off in the browser would stop the journeys
noticing a page that breaks it.
"""

from dataclasses import dataclass, field
from pathlib import Path

AXE_SOURCE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"

# WCAG 2.2 AA: every A and AA rule of 2.0, 2.1 and 2.2 (axe tags each rule with the version that added it).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


@dataclass
class AxeLedger:
    """Every page state checked in this session, and what axe found on each."""

    checked: list = field(default_factory=list)

    @property
    def violation_count(self):
        return sum(len(violations) for _, _, violations in self.checked)

    def summary_line(self):
        return f"axe: {len(self.checked)} page states checked, {self.violation_count} violations"


LEDGER = AxeLedger()
_source = None


def _axe_source():
    global _source
    if _source is None:
        _source = AXE_SOURCE_PATH.read_text(encoding="utf-8")
    return _source


def axe_violations(page):
    """Run axe on the page as it is now; a list of violations (empty when the page passes)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, WCAG_TAGS)


def format_violations(state, url, violations):
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {state!r} ({url}):"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"      {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:200]}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"         {summary_line}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
