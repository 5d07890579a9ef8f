"""Shared fixtures for the browser tests: a headless Chromium driven by Selenium.

The server is started by `.ci/with-server`, which sets EGIDE_BASE_URL.
Screenshots go to EGIDE_SCREENSHOTS (default: tests/browser/screenshots, git-ignored).
"""
import json
import os
import pathlib
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


def screenshot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
