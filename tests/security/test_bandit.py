"""bandit over portal/: every finding is fixed, or justified where it stands with `# nosec BXXX – why`."""

import importlib.util
import io
import json
import re
import subprocess
import sys
import tokenize

import pytest

from portal.config import ROOT

PORTAL = ROOT / "portal"
# A nosec names the checks it silences and says why: a bare `# nosec` would silence every check.
JUSTIFIED = re.compile(r"#\s*nosec B\d{3}(?:,\s*B\d{3})* [–-] \S")

needs_bandit = pytest.mark.skipif(
    importlib.util.find_spec("bandit") is None, reason="bandit is not installed (pip install bandit)"
)


def describe(finding: dict) -> str:
    place = f"{finding['filename']}:{finding['line_number']}"
    return f"{place} {finding['test_id']} {finding['issue_text']}"


@needs_bandit
def test_bandit_finds_nothing_unjustified():
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "portal", "-q", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(run.stdout)
    assert report["errors"] == [], report["errors"]
    findings = [describe(finding) for finding in report["results"]]
    assert not findings, "fix these, or justify each in place with `# nosec BXXX – why`:\n" + "\n".join(
        findings
    )


def comments(path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def test_every_nosec_names_its_check_and_says_why():
    unjustified = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted(PORTAL.rglob("*.py"))
        for line, text in comments(path)
        if "nosec" in text and not JUSTIFIED.search(text)
    ]
    assert not unjustified, "\n".join(unjustified)
