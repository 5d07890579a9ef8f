"""The bilingual layout in a real browser: French and English, the switch, no JavaScript, no other origin."""
from selenium.webdriver.common.by import By

from conftest import foreign_requests, make_driver, screenshot, url


def test_home_page_is_french_for_a_french_browser(browser_fr):
    browser_fr.get(url("/"))
    assert browser_fr.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Protéger les défenseur·ses" in browser_fr.find_element(By.TAG_NAME, "h1").text
    assert browser_fr.title == "Accueil · Egide"
    screenshot(browser_fr, "home-fr-1280")


def test_home_page_is_english_for_an_english_browser(browser):
    browser.get(url("/"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Protecting human rights defenders at risk"
    screenshot(browser, "home-en-1280")


def test_the_language_switch_changes_and_remembers_the_language(browser):
    browser.get(url("/"))
    browser.find_element(By.LINK_TEXT, "Français").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert browser.current_url.rstrip("/") == url("")
    # The choice holds on the next page, though the browser still asks for English.
    browser.get(url("/page-that-does-not-exist"))
    assert "Page introuvable" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.LINK_TEXT, "English").click()
    assert browser.current_url == url("/page-that-does-not-exist")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"


def test_pages_work_with_javascript_disabled(browser_nojs):
    browser_nojs.get(url("/"))
    assert browser_nojs.execute_script is not None  # the driver itself still works
    assert browser_nojs.find_element(By.TAG_NAME, "h1").text == "Protecting human rights defenders at risk"
    # The stylesheet applied: the header has the white background it sets.
    header = browser_nojs.find_element(By.CSS_SELECTOR, ".site-header")
    assert header.value_of_css_property("background-color") in ("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)")
    browser_nojs.find_element(By.LINK_TEXT, "Français").click()
    assert browser_nojs.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    screenshot(browser_nojs, "home-fr-nojs")


def test_no_request_goes_to_any_other_origin(browser):
    for path in ("/", "/language/fr", "/missing"):
        browser.get(url(path))
    assert foreign_requests(browser) == []


def test_the_page_violates_no_content_security_policy(browser):
    browser.get(url("/"))
    errors = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert errors == []


def test_the_layout_fits_a_small_phone_screen():
    driver = make_driver(language="fr-FR", width=360, height=780)
    try:
        driver.get(url("/"))
        viewport = driver.execute_script("return window.innerWidth")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert viewport == 360
        assert width <= 360, f"the page is {width}px wide on a 360px screen"
        screenshot(driver, "home-fr-360")
    finally:
        driver.quit()
