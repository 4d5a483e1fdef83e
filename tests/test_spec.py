"""The command registry: a command is declared once, whole, and everything reads that.

Adding a command is one calculator module plus one spec in ``stepcalc/commands`` (and its
messages); these tests fail when a spec leaves something out or says something untrue.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

import stepcalc.commands as package
from stepcalc.spec import COMMON, Choice, Flag, Tensor, Type, command_names, commands, load
from tests.helpers import run_json

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = commands()


def test_every_module_of_the_package_is_a_command():
    modules = [info.name.replace("_", "-") for info in pkgutil.iter_modules(package.__path__)]
    assert sorted(modules) == sorted(command_names()) == sorted(c.name for c in COMMANDS)
    assert len(COMMANDS) == 12


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_a_command_is_fully_declared(command):
    assert callable(command.calculate())
    assert command.help and command.summary and len(command.summary) <= 60
    assert not command.summary.endswith((".", ","))
    names = [opt.name for opt in command.options]
    assert len(names) == len(set(names)), "an option declared twice"
    if command.computing:
        assert not set(names) & {o.name for o in COMMON}, "a command redeclares a common option"
    for opt in command.options:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", opt.name), opt.name
        assert isinstance(opt.type, Type) and opt.help, opt.name
        if opt.default is not None and not isinstance(opt.type, Flag | Tensor):
            opt.type.parse(opt.default, opt.name)  # a default must be a value of its type
        if isinstance(opt.type, Choice):
            assert opt.type.choices, opt.name
    for rule in command.constraints:
        for name in getattr(rule, "names", ()) or (rule.name, rule.other):
            assert name in names, (command.name, name)
    if command.computing:
        assert command.result_keys and command.samples, command.name
        assert callable(load(command.drill)), command.name
        for sample in command.samples:
            assert (ROOT / "samples" / sample).is_file(), sample


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.computing], ids=lambda c: c.name)
def test_results_use_the_declared_keys(command):
    """What a sample's JSON result holds is what the spec (and the contract) names."""
    for sample in command.samples:
        result = run_json(command.name, "--from", str(ROOT / "samples" / sample))["result"]
        extra = set(result) - set(command.result_keys)
        assert not extra, (sample, sorted(extra))


def _imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports, at any depth."""
    import ast

    root = ROOT / "stepcalc"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        name = ".".join(("stepcalc", *path.relative_to(root).with_suffix("").parts))
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stepcalc"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(
                        full if (ROOT / (full.replace(".", "/") + ".py")).exists() else node.module
                    )
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("stepcalc")}
        graph[name.removesuffix(".__init__")] = found - {name.removesuffix(".__init__")}
    return graph


def test_no_import_cycles_and_a_model_that_imports_nothing():
    graph = _imports()
    assert graph["stepcalc.trace"] == set()
    assert not any(m.startswith("stepcalc.render") for m in graph["stepcalc.symbolic"])

    def visit(module: str, path: list[str]) -> None:
        for nxt in graph.get(module, ()):
            assert nxt not in path, " → ".join([*path, nxt])
            visit(nxt, [*path, nxt])

    for module in graph:
        visit(module, [module])
