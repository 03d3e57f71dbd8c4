"""A real Chromium (Debian's, no browser download) against the portal served from a thread.

Every page a test visits through `visit`/`check` is audited: axe-core must find no WCAG 2.1 A/AA
violation and vnu.jar no HTML error. The whole folder skips, with the reason, when Chromium,
Playwright, Java or the npm test tools are missing; `.ci/run` makes sure they are present.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from portal.config import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TOOLS = ROOT / "tools" / "node_modules"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # required when running as root, as CI does
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _missing_tools() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if not AXE_JS.exists() or not VNU_JAR.exists():
        return "axe-core/vnu.jar missing (npm ci --prefix tools)"
    if not shutil.which("java"):
        return "Java is missing for vnu.jar (apt-get install default-jre-headless)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_tools()
    if reason and os.environ.get("REQUIRE_FULL_SUITE"):
        raise pytest.UsageError(f"REQUIRE_FULL_SUITE is set but the browser tests cannot run: {reason}")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # One worker runs them all, in file order: they share the live server's demo database.
            item.add_marker(pytest.mark.xdist_group("browser"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"end-to-end: {reason}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _without_revalidation(app):
    """Serve every file in full: Werkzeug drops the open file unclosed when it answers a browser's
    revalidation with 304, and under filterwarnings=error that ResourceWarning would fail whichever
    test the garbage collector happens to run in."""

    def application(environ, start_response):
        environ.pop("HTTP_IF_NONE_MATCH", None)
        environ.pop("HTTP_IF_MODIFIED_SINCE", None)
        return app(environ, start_response)

    return application


@pytest.fixture(scope="session")
def live_database(tmp_path_factory) -> str:
    """The live server's database URL, for tests that add rows of their own to it."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'portal.sqlite'}"


@pytest.fixture(scope="session")
def live_server(live_database):
    from werkzeug.serving import make_server

    from portal.app import create_app
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.content.loader import load_modules
    from portal.content.sync import content_root, sync_modules
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from tests.conftest import base_config

    app = create_app(base_config(live_database, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        db.create_all()
        modules = load_modules(content_root(app.config))
        sync_modules(modules)
        sync_certifications(load_certifications(certifications_root(app.config), {m.slug for m in modules}))
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, _without_revalidation(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def vnu():
    port = _free_port()
    process = subprocess.Popen(
        ["java", "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("vnu.jar did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS)
        yield browser
        browser.close()


class Auditor:
    """Runs axe-core and vnu.jar on the page as it stands; collects what it audited."""

    def __init__(self, page, vnu_url: str):
        self.page = page
        self.vnu_url = vnu_url
        self.audited: list[str] = []
        self.axe = AXE_JS.read_text()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        self.page.evaluate(self.axe)  # evaluate is not subject to the page's CSP
        result = self.page.evaluate("options => axe.run(document, options)", WCAG_21_AA)
        violations = [
            (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in result["violations"]
        ]
        assert not violations, f"axe on {self.page.url}: {violations}"
        html = self.page.content().encode("utf-8")
        request = urllib.request.Request(
            self.vnu_url, data=html, headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            messages = json.load(response)["messages"]
        errors = [
            (m.get("lastLine"), m["message"])
            for m in messages
            if m["type"] in ("error", "non-document-error")
        ]
        assert not errors, f"vnu on {self.page.url}: {errors}"
        self.audited.append(self.page.url)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None, url
        assert response.status < 500, f"{url}: {response.status}"
        self.check()


def _is_script_error(message) -> bool:
    # Error pages (403, 404) are logged by Chromium as failed loads; those are the tests' intent.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: _is_script_error(message) and console_errors.append(message.text))
    yield page
    context.close()
    assert not console_errors, f"browser console errors (CSP violations?): {console_errors}"


@pytest.fixture
def auditor(page, vnu):
    return Auditor(page, vnu)
