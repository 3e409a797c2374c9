"""axe-core run inside the page, with the count of page states checked for the summary line.

axe is loaded by evaluating the vendored source through the DevTools protocol rather than
as a <script> element: the app's Content-Security-Policy (script-src 'self') would refuse
an inline script tag, and switching the policy off in the browser would stop the journeys
noticing a page that breaks it.
"""

import re
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


# The one finding accepted, narrowly: GOV.UK Frontend's radios and checkboxes script sets
# aria-expanded on an input that reveals a conditional question. ARIA 1.2 does not list it for
# role radio/checkbox, so axe reports it; GOV.UK keeps it on purpose because screen readers
# announce it and their testing with users found it helps (alphagov/govuk-frontend#979, #1991).
# Anything else aria-allowed-attr finds, on any other element, still fails.
ACCEPTED_PATTERN = "aria-expanded on GOV.UK conditional radios and checkboxes (alphagov/govuk-frontend#979)"
_GOVUK_INPUT = re.compile(r'^<input [^>]*class="govuk-(radios|checkboxes)__input"')
_NOT_ALLOWED = re.compile(r"ARIA attribute is not allowed: ([\w-]+)=")


def _is_accepted(violation_id, node):
    html = node["html"]
    if violation_id != "aria-allowed-attr" or not _GOVUK_INPUT.search(html) or "aria-controls=" not in html:
        return False
    attributes = _NOT_ALLOWED.findall(node["summary"] or "")
    return bool(attributes) and set(attributes) == {"aria-expanded"}


@dataclass
class AxeLedger:
    """Every page state checked in this session, and what axe found on each."""

    checked: list = field(default_factory=list)
    accepted_nodes: int = 0

    @property
    def violation_count(self):
        return sum(len(violations) for _, _, violations in self.checked)

    def summary_line(self):
        line = f"axe: {len(self.checked)} page states checked, {self.violation_count} violations"
        if self.accepted_nodes:
            line += f" (accepted on {self.accepted_nodes} elements: {ACCEPTED_PATTERN})"
        return line


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
    violations = []
    for violation in page.evaluate(_RUN, WCAG_TAGS):
        nodes = [node for node in violation["nodes"] if not _is_accepted(violation["id"], node)]
        LEDGER.accepted_nodes += len(violation["nodes"]) - len(nodes)
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


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
