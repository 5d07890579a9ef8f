"""What a person does on a page, shared by the browser tests: fill, choose, tick, press, follow,
and read back where they are."""
import time
from urllib.parse import urlsplit

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def fill(driver, field_id, value):
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def choose(driver, field_id, value):
    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def tick(driver, name, value):
    box = driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
    if not box.is_selected():
        box.click()


def xpath_text(text):
    return f'"{text}"' if '"' not in text else f"'{text}'"


def click_and_wait(driver, element):
    """Clicks `element` and waits until the next page has replaced this one and finished loading.

    A mark left on this page's `window` disappears with it (checking an old element for staleness
    instead races with Chromium, which may answer "node does not belong to the document").
    WebDriver's own scripts still run when the page's JavaScript is disabled, so this works in both
    kinds of browser."""
    driver.execute_script("window.egideTestOldPage = true")
    element.click()

    def next_page_loaded(d):
        try:
            return d.execute_script("return !window.egideTestOldPage && document.readyState === 'complete'")
        except WebDriverException:  # the page is being replaced
            return False

    WebDriverWait(driver, 15).until(next_page_loaded)


def press(driver, label, scope="//main"):
    """Submits the form of the button (under the XPath `scope`) whose text is `label`."""
    click_and_wait(driver, driver.find_element(By.XPATH, f"{scope}//button[normalize-space()={xpath_text(label)}]"))


def follow(driver, label):
    click_and_wait(driver, driver.find_element(By.XPATH, f"//a[normalize-space()={xpath_text(label)}]"))


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def path(driver):
    return urlsplit(driver.current_url).path


def problems(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".form-problems")]


def current_step():
    """The current 30-second TOTP step."""
    return int(time.time()) // 30
