"""The static structure of a source tree, read with `ast` (nothing is imported): modules over a
line limit, import circles between modules, and imports that run up the layers.

An import inside a function counts like one at the top of the module: it is a dependency all the
same, only a later one. `from package import name` depends on the package and, where `name` is a
module of it, on that module. Migrations are generated and left out of the size limit and the graph.
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SKIPPED_DIRS = {"migrations", "static", "__pycache__"}


@dataclass
class Structure:
    # {path: lines} for each module over the limit, e.g. {"advice/views.py": 428}.
    big: dict
    # Each circle as its modules, sorted, joined with " <-> ".
    circles: set
    # "importer -> imported" for each import from a lower layer into a higher one.
    upward: set


def modules_of(root: Path, packages) -> dict:
    """{dotted module name: path} for every module of the given top-level packages under root."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if SKIPPED_DIRS.intersection(relative.parts[:-1]):
                continue
            name = ".".join(relative.with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def import_graph(modules: dict) -> dict:
    """{module: set of modules of `modules` it imports}."""
    graph = defaultdict(set)

    def resolve(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in targets:
                found = resolve(target)
                if found and found != name:
                    graph[name].add(found)
    return graph


def circles_of(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def structure(root: Path, layers, *, limit: int) -> Structure:
    """`layers` lists the top-level packages lowest first: each may import only from those before it."""
    modules = modules_of(root, layers)
    graph = import_graph(modules)
    rank = {package: position for position, package in enumerate(layers)}
    big = {}
    for path in modules.values():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > limit:
            big[path.relative_to(root).as_posix()] = lines
    upward = {
        f"{importer} -> {imported}"
        for importer, imported_modules in graph.items()
        for imported in imported_modules
        if rank[imported.split(".")[0]] > rank[importer.split(".")[0]]
    }
    circles = {" <-> ".join(component) for component in circles_of(graph)}
    return Structure(big=big, circles=circles, upward=upward)
