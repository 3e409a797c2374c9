"""docs/ARCHITECTURE.md stays true: every path it names exists, and every `module.name` it names
is defined in that very module (not only re-exported there), so the map is one hop from the code."""

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGES = ("ehc", "assessments", "advice", "escalation", "reviews", "reports", "api", "bench")
CODE = re.compile(r"`([^`\s]+)`")


def _named():
    paths, names = set(), set()
    for token in CODE.findall(MAP.read_text(encoding="utf-8")):
        token = token.rstrip("()")
        if "/" in token or re.search(r"\.(py|md|html|txt|toml|yml)$", token):
            paths.add(token)
        elif token.split(".")[0] in PACKAGES and "." in token:
            names.add(token)
    return paths, names


def _defined(dotted):
    """None if `dotted` is a module or a name defined in its module, else what is wrong."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and not module_name.startswith(error.name):
                raise
            continue
        for position, attribute in enumerate(parts[cut:]):
            if not hasattr(target, attribute):
                return f"{'.'.join(parts[: cut + position])} has no {attribute}"
            target = getattr(target, attribute)
            home = getattr(target, "__module__", module_name)
            if position == 0 and callable(target) and home != module_name:
                return f"{dotted} is defined in {home}, not {module_name}"
        return None
    return "no such module"


def test_the_map_names_only_what_exists():
    paths, names = _named()
    assert len(paths) >= 10 and len(names) >= 30, "the map names its modules and rules"
    missing_paths = sorted(path for path in paths if not (ROOT / path).exists())
    wrong_names = sorted(f"{name}: {problem}" for name in names if (problem := _defined(name)) is not None)
    assert not missing_paths and not wrong_names, "\n".join(missing_paths + wrong_names)


def test_the_readme_points_to_the_map():
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
