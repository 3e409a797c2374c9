"""B10: no Celery task is scheduled further ahead than the broker's visibility timeout."""

import ast
from pathlib import Path

from django.conf import settings

from ..harness import Scenario

SCHEDULING_METHODS = {"apply_async", "delay", "retry", "signature", "s", "si", "set", "delay_on_commit"}
SKIP_DIRS = {".venv", "venv", "var", ".git", "node_modules", "__pycache__", "staticfiles"}


def _seconds(node, constants):
    """The number of seconds an ETA/countdown expression stands for, or None if it cannot be proved."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in constants:
        return _seconds(constants[node.id], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _seconds(node.left, constants), _seconds(node.right, constants)
        if isinstance(node.op, ast.Add) and (_is_now(node.left) or _is_now(node.right)):
            # now() + delta: the delta is what counts
            return right if _is_now(node.left) else left
        if left is None or right is None:
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right, ast.Div: left / right}[
            type(node.op)
        ]
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "timedelta":
            units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}
            total = 0.0
            positional = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"]
            pairs = list(zip(positional, node.args, strict=False)) + [(kw.arg, kw.value) for kw in node.keywords]
            for unit, value in pairs:
                amount = _seconds(value, constants)
                if amount is None:
                    return None
                total += amount * units.get(unit, 0.000001)
            return total
    return None


def _is_now(node):
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name in {"now", "utcnow", "today"}
    return False


def scan_for_long_etas(root: Path, visibility_timeout: float):
    """Every Celery call in the project's Python that sets an ETA or countdown, with what is wrong with it."""
    findings, files = [], 0
    for path in sorted(root.rglob("*.py")):
        if SKIP_DIRS & set(path.relative_to(root).parts):
            continue
        files += 1
        try:
            tree = ast.parse(path.read_text(), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        constants = {
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in SCHEDULING_METHODS:
                continue
            for keyword in node.keywords:
                if keyword.arg not in {"countdown", "eta"}:
                    continue
                where = f"{path.relative_to(root)}:{node.lineno}"
                if node.func.attr == "delay":
                    findings.append(f"{where}: .delay(..., {keyword.arg}=...) passes it to the task, not to Celery")
                    continue
                seconds = _seconds(keyword.value, constants)
                if seconds is None:
                    findings.append(f"{where}: {keyword.arg} not provably within the visibility timeout")
                elif seconds > visibility_timeout:
                    findings.append(
                        f"{where}: {keyword.arg} of {seconds:.0f} s exceeds the visibility timeout "
                        f"({visibility_timeout:.0f} s)"
                    )
    return files, findings


class NoLongEtas(Scenario):
    code = "B10"
    title = "static check: Celery ETA/countdown within the visibility timeout"
    target = "zero findings"

    def app(self, ctx):
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        self.timeout = float(options.get("visibility_timeout", 3600))
        self.files, findings = scan_for_long_etas(Path(settings.BASE_DIR), self.timeout)
        return findings

    def rows(self, result):
        return self.files

    def notes(self, outcome):
        findings = self.app(None)
        if findings:
            outcome.status = "fail"
            return [f"{len(findings)} finding(s): " + "; ".join(findings[:10])]
        return [f"no ETA or countdown beyond the visibility timeout ({self.timeout:.0f} s) in {self.files} files"]
