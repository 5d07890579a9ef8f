"""Shared fixtures for the browser tests: a headless Chromium driven by Selenium.

The server is started by `.ci/with-server`, which sets EGIDE_BASE_URL.
Screenshots go to EGIDE_SCREENSHOTS (default: tests/browser/screenshots, git-ignored).
"""
import base64
import json
import os
import pathlib
import re
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

BASE_URL = os.environ.get("EGIDE_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
SCREENSHOTS = pathlib.Path(os.environ.get("EGIDE_SCREENSHOTS", pathlib.Path(__file__).parent / "screenshots"))


def make_driver(*, javascript=True, language="en", width=1280, height=900):
    opts = Options()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", f"--lang={language}",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--metrics-recording-only"):
        opts.add_argument(arg)
    prefs = {"intl.accept_languages": language}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    opts.add_experimental_option("prefs", prefs)
    if width < 500:
        # Desktop Chromium will not make a window narrower than ~500 px: emulate a phone instead.
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)


@pytest.fixture
def browser():
    driver = make_driver(language="en")
    yield driver
    driver.quit()


@pytest.fixture
def browser_fr():
    driver = make_driver(language="fr-FR")
    yield driver
    driver.quit()


@pytest.fixture
def browser_nojs():
    driver = make_driver(javascript=False, language="en")
    yield driver
    driver.quit()


def url(path):
    return BASE_URL + path


def requested_urls(driver):
    """Every URL the page asked the network for, from Chromium's DevTools performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def foreign_requests(driver):
    """Requests that left the Egide origin (data: URLs are inline and allowed)."""
    own = urlsplit(BASE_URL)
    return [u for u in requested_urls(driver)
            if not u.startswith("data:") and (urlsplit(u).scheme, urlsplit(u).netloc) != (own.scheme, own.netloc)]


def screenshot(driver, name, full_page=False):
    """Saves `name`.png: the visible part of the page, or with `full_page` the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not full_page:
        driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        return
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def server_log():
    """What `egide serve` has printed so far (.ci/with-server sets EGIDE_SERVER_LOG)."""
    path = os.environ.get("EGIDE_SERVER_LOG")
    if not path:
        pytest.skip("EGIDE_SERVER_LOG is not set: run under .ci/with-server")
    return pathlib.Path(path).read_text(encoding="utf-8", errors="replace")


def setup_link():
    """The one-time setup link printed at first start (the last one, if several were printed)."""
    links = re.findall(r"https?://\S+/setup/[A-Za-z0-9_-]+", server_log())
    if not links:
        pytest.fail("egide serve printed no setup link: is the data folder fresh?")
    return links[-1]


# What a page may weigh on the wire: its HTML and the style sheet, compressed (a 2G line moves
# about 5 KB a second).
PAGE_BUDGET = 50 * 1024


def transfer(base_url, path, cookies=None):
    """GETs `path` asking for gzip, as a browser does: (status, content-encoding, bytes on the wire,
    bytes once decompressed)."""
    import gzip
    import http.client
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Accept-Encoding": "gzip"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    encoding = response.getheader("Content-Encoding")
    plain = gzip.decompress(body) if encoding == "gzip" else body
    connection.close()
    return response.status, encoding, len(body), len(plain)


def assert_within_budget(base_url, paths, cookies=None):
    """Each page's HTML and the style sheet, compressed, stay under PAGE_BUDGET; compression is served."""
    _, css_encoding, css_wire, css_plain = transfer(base_url, "/css/egide.css")
    assert css_encoding == "gzip", "the style sheet is not compressed"
    weights = {}
    for page in paths:
        status, encoding, wire, plain = transfer(base_url, page, cookies)
        assert status == 200, f"{page}: {status}"
        assert encoding == "gzip", f"{page} is not compressed"
        assert wire < plain, f"{page}: compression did not help ({wire} of {plain} bytes)"
        weights[page] = wire + css_wire
        assert wire + css_wire < PAGE_BUDGET, f"{page}: {wire} + {css_wire} bytes compressed, over {PAGE_BUDGET}"
    return weights


def document_status(driver):
    """The HTTP status of the last page the driver loaded (after redirects), from the DevTools log.

    Reading the performance log drains it, so call this right after the navigation to check."""
    status = None
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
            status = message["params"]["response"]["status"]
    return status


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """An `egide serve` of the module's own, on a new data folder and a free loopback port.

    For tests that need to claim an instance themselves (the setup link works once per instance,
    and test_identity.py claims the shared one): they get their own, whatever ran before. Stops it
    with SIGTERM at the end and fails if it does not exit cleanly, as .ci/with-server does."""
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    class Server:
        def __init__(self, root):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            self.base_url = f"http://127.0.0.1:{self.port}"
            self.data_dir = root / "data"
            self.log_path = root / "server.log"
            self.process = None

        def url(self, path):
            return self.base_url + path

        def log(self):
            return self.log_path.read_text(encoding="utf-8", errors="replace")

        def setup_link(self):
            links = re.findall(r"https?://\S+/setup/[A-Za-z0-9_-]+", self.log())
            if not links:
                pytest.fail(f"egide serve printed no setup link:\n{self.log()}")
            return links[-1]

    repo = pathlib.Path(__file__).resolve().parents[2]
    binary = pathlib.Path(os.environ.get("EGIDE_BIN", repo / ".build/debug/egide"))
    if not binary.is_absolute():
        binary = repo / binary
    if not binary.exists():
        pytest.skip(f"{binary} not found: run swift build first")
    server = Server(tmp_path_factory.mktemp("egide-serve"))
    env = {k: v for k, v in os.environ.items() if k not in ("EGIDE_KEK_FILE", "EGIDE_SERVER_LOG")}
    env.update(EGIDE_BASE_URL=server.base_url, EGIDE_DATA_DIR=str(server.data_dir))
    with open(server.log_path, "wb") as log:
        server.process = subprocess.Popen(
            [str(binary), "serve", "--hostname", "127.0.0.1", "--port", str(server.port), "--data-dir", str(server.data_dir)],
            cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.process.poll() is not None:
                pytest.fail(f"egide serve exited early:\n{server.log()}")
            try:
                with urllib.request.urlopen(server.url("/healthz"), timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"egide serve did not answer within 30 s:\n{server.log()}")
                time.sleep(0.2)
        yield server
    finally:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
        try:
            status = server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            pytest.fail("egide serve did not stop within 15 s of SIGTERM")
        assert status == 0, f"egide serve exited with status {status} after SIGTERM:\n{server.log()[-4000:]}"
