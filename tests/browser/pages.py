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


def submit(driver, form):
    """Submits the form matching the CSS selector `form` ("#triage") with its own submit button,
    whatever language the page speaks, and waits for the next page."""
    element = driver.find_element(By.CSS_SELECTOR, form)
    buttons = element.find_elements(By.CSS_SELECTOR, "button[type='submit'], button:not([type]), input[type='submit']")
    assert buttons, f"{form} has no submit button"
    click_and_wait(driver, buttons[0])


def open_details(driver, target):
    """Opens the <details> around `target` (a CSS selector or an element) by clicking its <summary>,
    as a person does: Chromium opens it without JavaScript. Does nothing if it is open already."""
    element = driver.find_element(By.CSS_SELECTOR, target) if isinstance(target, str) else target
    details = element if element.tag_name == "details" else element.find_element(By.XPATH, "ancestor::details[1]")
    if details.get_attribute("open") is None:
        details.find_element(By.XPATH, "./summary").click()
        WebDriverWait(driver, 5).until(lambda d: details.get_attribute("open") is not None)
    return details


def type_date(driver, field_id, iso):
    """Types the date `iso` (YYYY-MM-DD) key by key into a date field, as a person does.

    The order of day, month and year in Chromium's date field follows the system's locale (not
    --lang: a fr-FR browser on a C.UTF-8 system still shows mm/dd/yyyy), so each order is tried
    until the field's value is the date. A browser without date fields gets the ISO text."""
    element = driver.find_element(By.ID, field_id)
    if element.get_attribute("type") != "date":
        fill(driver, field_id, iso)
        return
    year, month, day = iso.split("-")
    for keys in (month + day + year, day + month + year, year + month + day):
        element.clear()
        element.send_keys(keys)
        if element.get_attribute("value") == iso:
            return
    raise AssertionError(f"could not type {iso} into #{field_id} (it holds {element.get_attribute('value')!r})")
