"""The engine imports only the standard library, defusedxml, PyYAML and itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "portal" / "alarmchain"
ALLOWED_THIRD_PARTY = ("defusedxml", "yaml")
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "wtforms", "jinja2", "werkzeug")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.append(node.module or "")
    return names


def test_engine_imports_only_stdlib_its_own_package_and_declared_deps() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
            if top == "portal":
                assert name.startswith("portal.alarmchain"), f"{path.name} imports {name}"
            else:
                allowed = top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY
                assert allowed or top == "__future__", f"{path.name} imports {name}"


def test_portal_package_init_is_import_free() -> None:
    assert _imports(ROOT / "portal" / "__init__.py") == []


def test_importing_engine_loads_no_framework() -> None:
    code = (
        "import sys, portal.alarmchain; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'wtforms', 'jinja2', 'werkzeug'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
