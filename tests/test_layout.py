"""The house rules of DESIGN.md, checked on the source: no import circles among the four
packages and cli.py (function-level imports count), imports only run down the layers,
and no file grows past 400 lines without saying why on its first line
(`# Over 400 lines: REASON`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("llm", "memory", "agent", "ui")
LAYER = {"llm": 0, "memory": 1, "agent": 2, "ui": 3, "cli": 3}
MAX_LINES = 400


def source_files() -> dict[str, Path]:
    """Module name -> file, for cli.py and every module of the four packages."""
    files = {"cli": ROOT / "cli.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    return files


def imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `module` imports anywhere in its file (top level or inside functions)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            # `from pkg import sub` imports the submodule when there is one, else a name of pkg
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    files = source_files()
    return {module: imported(module, path, set(files)) for module, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    (tmp_path / "a.py").write_text("def f():\n    from b import g\n", encoding="utf-8")
    assert imported("a", tmp_path / "a.py", {"a", "b"}) == {"b"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_imports_run_down_the_layers_only():
    wrong = [(module, target) for module, targets in import_graph().items() for target in targets
             if LAYER[target.split(".")[0]] > LAYER[module.split(".")[0]]
             or (module.startswith("ui") and target == "cli")]
    assert wrong == []


def test_no_file_over_400_lines_without_a_reason_on_its_first_line():
    long = [f"{path.relative_to(ROOT)} ({n} lines)" for path in source_files().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
            and not path.read_text(encoding="utf-8").startswith("# Over 400 lines: ")]
    assert long == []
