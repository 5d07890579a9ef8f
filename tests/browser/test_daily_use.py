"""What every visitor meets before anything else: small compressed pages, an icon, a public
alert form that a screen reader reads question by question.

Runs against the shared server of `.ci/with-server` (no account needed)."""
import importlib.util
import os

import pytest
from selenium.webdriver.common.by import By

from conftest import BASE_URL, assert_within_budget, transfer, url

PUBLIC_PAGES = ["/", "/alert", "/alerte", "/alert/follow-up", "/alerte/suivi", "/sign-in",
                "/fr/alerte", "/en/alert", "/ar/alert", "/ar/alert/follow-up", "/ar"]


def test_public_pages_are_compressed_and_within_the_budget():
    weights = assert_within_budget(BASE_URL, PUBLIC_PAGES)
    # The alert form, the page that matters most on a slow line, well under the budget.
    assert weights["/alert"] < 20 * 1024 and weights["/ar/alert"] < 20 * 1024, weights


def test_the_icon_is_served():
    for icon in ("/favicon.ico", "/favicon.svg"):
        status, _, wire, _ = transfer(BASE_URL, icon)
        assert status == 200 and wire > 0, icon


def axe_source():
    """axe-core as shipped inside the axe-playwright-python wheel (installed without its
    dependencies by .ci/run): the rules, not the Playwright binding."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None:
        pytest.fail("axe-playwright-python is not installed (pip install --no-deps axe-playwright-python)")
    return open(os.path.join(os.path.dirname(spec.origin), "axe.min.js"), encoding="utf-8").read()


@pytest.mark.parametrize("page", ["/alert", "/alerte", "/ar/alert", "/ar/alert/follow-up", "/sign-in", "/", "/ar"])
def test_public_pages_have_no_critical_or_serious_accessibility_problem(browser, page):
    browser.get(url(page))
    browser.execute_script(axe_source())
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))));")
    serious = [v for v in result if v["impact"] in ("critical", "serious")]
    assert not serious, serious


@pytest.mark.parametrize("page", ["/alert", "/ar/alert"])
def test_the_public_form_asks_each_group_of_choices_as_a_question(browser, page):
    browser.get(url(page))
    for group in ("senderIsDefender", "categories", "needs"):
        fieldset = browser.find_element(By.ID, group)
        assert fieldset.tag_name == "fieldset", group
        assert fieldset.find_element(By.TAG_NAME, "legend").text.strip(), group
        assert fieldset.find_elements(By.CSS_SELECTOR, "input[type='radio'], input[type='checkbox']"), group
