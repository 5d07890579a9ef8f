"""Identity and access in a real browser, as people would use them, in order:

1. the first administrator claims a fresh Egide with the one-time setup link and enrols TOTP;
2. they create two partner organisations and invite one person into each;
3. the verifier invited in Cameroon joins from another browser, enrols, signs out and back in;
4. the verifier sees only their own account: the administration answers 403;
5. repeated wrong passwords throttle the sign-in, even with the right password afterwards.

The tests share one server and run in file order (each needs what the previous one made).
Screenshots land in tests/browser/screenshots/ (1280 px, and 360 px for the phone pages).
"""
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import document_status, make_driver, screenshot, setup_link, url
from pages import choose, current_step, fill, follow, heading, path, press, problems

PASSPHRASE = "ribbon lantern harbour seventeen"
VERIFIER_PASSPHRASE = "mango drizzle copper atlas"
CONGO_PASSPHRASE = "quiet river seven lanterns"
ADMIN_EMAIL = "claire.admin@protection-lyon.example"
VERIFIER_EMAIL = "verifier@cm-partner.example"
VERIFIER_NAME = "Amina Verifier"
# A partner verifier: their requests, recording an alert they received, and nothing else.
VERIFIER_NAVIGATION = ["Needs my attention", "Record an alert", "Verification", "My account"]
CONGO_EMAIL = "officer@cd-partner.example"


class Journey:
    """What one step leaves for the next: drivers, links, secrets."""

    def __init__(self):
        self.drivers = []
        self.admin = None
        self.verifier = None
        self.invitation_link = None
        self.congo_invitation_link = None
        self.congo_user_path = None
        self.verifier_secret = None
        self.verifier_last_step = None

    def driver(self, **options):
        driver = make_driver(**options)
        self.drivers.append(driver)
        return driver


@pytest.fixture(scope="module")
def journey():
    state = Journey()
    yield state
    for driver in state.drivers:
        driver.quit()


def _step_done(journey, name):
    if getattr(journey, name) is None:
        pytest.fail(f"an earlier step of the journey failed (no {name})")


# --- small helpers: what a person does on a page ---------------------------------------------

















def navigation(driver):
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.main-nav a")]




def totp_secret(driver):
    return driver.find_element(By.ID, "totp-secret").text.replace(" ", "")




def fresh_code(secret, after_step):
    """A TOTP code of a step later than `after_step` (codes are single-use: wait for the next one)."""
    while current_step() <= after_step:
        time.sleep(0.5)
    step = current_step()
    return pyotp.TOTP(secret).at(step * 30), step


def enrol(driver, shot=None):
    """On the enrolment page: read the key, type the current code; returns (secret, step used)."""
    assert path(driver) == "/account/two-factor", f"expected the enrolment page, got {path(driver)}: {heading(driver)}"
    assert heading(driver) == "Set up your second factor"
    secret = totp_secret(driver)
    assert len(secret) == 32, f"the key should be 160 bits in base32, got {secret!r}"
    assert driver.find_element(By.CSS_SELECTOR, "img.qr").get_attribute("src").startswith("data:image/svg+xml;base64,")
    if shot:
        screenshot(driver, shot, full_page=True)
    # Avoid typing a code in its last second: the server could see the next step.
    if time.time() % 30 > 28.5:
        time.sleep(2)
    step = current_step()
    fill(driver, "code", pyotp.TOTP(secret).at(step * 30))
    press(driver, "Confirm")
    return secret, step


def recovery_codes(driver):
    assert heading(driver) == "Keep these recovery codes safe", problems(driver)
    codes = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert len(code) == 19 and code.count("-") == 3, code
    return codes


def sign_in(driver, email, password):
    driver.get(url("/sign-in"))
    fill(driver, "email", email)
    fill(driver, "password", password)
    press(driver, "Continue")


# --- the journey ------------------------------------------------------------------------------

def test_the_setup_link_creates_the_host_organisation_and_its_first_administrator(journey):
    admin = journey.driver()
    admin.get(setup_link())
    assert document_status(admin) == 200
    assert heading(admin) == "Set up this Egide"
    fill(admin, "organisationName", "Protection Lyon")
    fill(admin, "slug", "lyon")
    choose(admin, "country", "FR")
    fill(admin, "name", "Claire Administrator")
    fill(admin, "email", ADMIN_EMAIL)
    fill(admin, "password", PASSPHRASE)
    fill(admin, "passwordConfirmation", PASSPHRASE)
    screenshot(admin, "setup-1280", full_page=True)
    press(admin, "Create the organisation and my account")

    assert path(admin) == "/account/two-factor", problems(admin)
    journey.admin_secret, journey.admin_last_step = enrol(admin, shot="enrol-1280")
    codes = recovery_codes(admin)
    assert codes
    screenshot(admin, "recovery-codes-1280", full_page=True)
    follow(admin, "I have kept my codes — continue")
    # Signed in, an administrator starts from the administration, not the public home page.
    assert path(admin) == "/admin/organisations"
    links = navigation(admin)
    assert {"Organisations", "Users", "My account"} <= set(links) and "Home" not in links, links
    journey.admin = admin

    # The link was single-use: it now answers like any unknown address.
    other = journey.driver()
    other.get(setup_link())
    assert document_status(other) == 404
    assert heading(other) == "Page not found"


def create_partner(admin, name, slug, country):
    admin.get(url("/"))
    follow(admin, "Organisations")
    assert heading(admin) == "Organisations"
    follow(admin, "New organisation")
    fill(admin, "name", name)
    fill(admin, "slug", slug)
    choose(admin, "type", "partner")
    choose(admin, "country", country)
    press(admin, "Save")
    assert heading(admin) == name, problems(admin)
    assert "The organisation was created" in admin.find_element(By.CSS_SELECTOR, ".notice-ok").text
    facts = admin.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Local partner" in facts and slug in facts
    return path(admin).split("?")[0]


def invite(admin, organisation_path, organisation_name, email, role):
    admin.get(url(organisation_path))
    follow(admin, "Invite someone")
    assert heading(admin) == "Invite someone"
    select = Select(admin.find_element(By.ID, "organisation"))
    select.select_by_visible_text(organisation_name)
    fill(admin, "email", email)
    admin.find_element(By.CSS_SELECTOR, f"input[name='roles[]'][value='{role}']").click()
    press(admin, "Create the invitation")
    assert "The invitation was created." in admin.find_element(By.CSS_SELECTOR, ".notice-ok").text, problems(admin)
    link = admin.find_element(By.ID, "invitation-link").text.strip()
    assert link.startswith(url("/invitation/")), link
    facts = admin.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert email in facts and organisation_name in facts and "Invited" in facts
    roles_form = admin.find_element(By.CSS_SELECTOR, "form[action$='/roles']")
    user_path = urlsplit(roles_form.get_attribute("action")).path.removesuffix("/roles")
    assert user_path.startswith("/admin/users/") and len(user_path) == len("/admin/users/") + 36
    return link, user_path


def test_the_administrator_creates_partners_and_invites_a_verifier(journey):
    _step_done(journey, "admin")
    admin = journey.admin
    cameroon = create_partner(admin, "Cameroon Defenders Network", "cm-partner", "CM")
    journey.invitation_link, _ = invite(admin, cameroon, "Cameroon Defenders Network", VERIFIER_EMAIL, "verifier")
    screenshot(admin, "admin-user-invitation-1280", full_page=True)

    congo = create_partner(admin, "Kivu Protection Desk", "cd-partner", "CD")
    journey.congo_invitation_link, journey.congo_user_path = invite(
        admin, congo, "Kivu Protection Desk", CONGO_EMAIL, "protection_officer")

    follow(admin, "Users")
    table = admin.find_element(By.TAG_NAME, "table").text
    assert VERIFIER_EMAIL in table and CONGO_EMAIL in table and ADMIN_EMAIL in table


def test_the_verifier_accepts_the_invitation_in_another_browser_and_enrols(journey):
    _step_done(journey, "invitation_link")
    verifier = journey.driver()  # a browser of their own: no cookie shared with the administrator
    verifier.get(journey.invitation_link)
    assert document_status(verifier) == 200
    assert heading(verifier) == "Create your account"
    assert "Cameroon Defenders Network" in verifier.find_element(By.CSS_SELECTOR, "p.lead").text
    assert verifier.find_element(By.ID, "email").get_attribute("value") == VERIFIER_EMAIL
    fill(verifier, "name", VERIFIER_NAME)
    fill(verifier, "password", VERIFIER_PASSPHRASE)
    fill(verifier, "passwordConfirmation", VERIFIER_PASSPHRASE)
    press(verifier, "Create my account")
    journey.verifier_secret, journey.verifier_last_step = enrol(verifier)
    recovery_codes(verifier)
    follow(verifier, "I have kept my codes — continue")
    assert path(verifier) == "/verification"  # a verifier starts from their requests
    assert navigation(verifier) == VERIFIER_NAVIGATION

    press(verifier, "Sign out", scope="//header")
    assert path(verifier) == "/"
    assert navigation(verifier) == ["Home"]
    verifier.get(url("/account"))
    assert path(verifier).startswith("/sign-in"), "signed out, /account must ask to sign in"

    # The link worked once.
    verifier.get(journey.invitation_link)
    assert document_status(verifier) == 404
    journey.verifier = verifier


def fits_the_screen(driver, width=360):
    page = driver.execute_script("return document.documentElement.scrollWidth")
    assert page <= width, f"{path(driver)} is {page}px wide on a {width}px screen"


def test_the_sign_in_page_fits_a_small_phone(journey):
    phone = journey.driver(width=360, height=780)
    phone.get(url("/sign-in"))
    assert heading(phone) == "Sign in"
    fits_the_screen(phone)
    screenshot(phone, "sign-in-360", full_page=True)


def test_the_enrolment_page_fits_a_small_phone(journey):
    _step_done(journey, "congo_invitation_link")
    # The person invited in DR Congo joins from a phone.
    phone = journey.driver(width=360, height=780)
    phone.get(journey.congo_invitation_link)
    assert heading(phone) == "Create your account"
    fits_the_screen(phone)
    fill(phone, "name", "Patrice Officer")
    fill(phone, "password", CONGO_PASSPHRASE)
    fill(phone, "passwordConfirmation", CONGO_PASSPHRASE)
    press(phone, "Create my account")
    assert path(phone) == "/account/two-factor", f"{path(phone)}: {heading(phone)} {problems(phone)}"
    fits_the_screen(phone)
    assert phone.find_element(By.CSS_SELECTOR, "img.qr").size["width"] <= 360
    screenshot(phone, "enrol-360", full_page=True)


def test_the_verifier_signs_in_again_with_a_fresh_code(journey):
    _step_done(journey, "verifier")
    verifier = journey.verifier
    sign_in(verifier, VERIFIER_EMAIL, VERIFIER_PASSPHRASE)
    assert path(verifier) == "/sign-in/code", problems(verifier)
    code, _ = fresh_code(journey.verifier_secret, journey.verifier_last_step)
    fill(verifier, "code", code)
    press(verifier, "Sign in")
    assert path(verifier) == "/verification", problems(verifier)
    assert navigation(verifier) == VERIFIER_NAVIGATION
    assert verifier.find_elements(By.XPATH, "//header//button[normalize-space()='Sign out']")


def test_the_users_table_becomes_cards_on_a_phone(journey):
    _step_done(journey, "admin")
    phone = journey.driver(width=360, height=780)
    sign_in(phone, ADMIN_EMAIL, PASSPHRASE)
    code, journey.admin_last_step = fresh_code(journey.admin_secret, journey.admin_last_step)
    fill(phone, "code", code)
    press(phone, "Sign in")
    assert path(phone) == "/admin/organisations", problems(phone)
    phone.get(url("/admin/users"))
    fits_the_screen(phone)
    row = phone.find_element(By.CSS_SELECTOR, "table.users tbody tr")
    assert row.value_of_css_property("display") == "block", "each account is a card on a phone"
    labels = [cell.get_attribute("data-label") for cell in row.find_elements(By.TAG_NAME, "td")]
    assert labels[:2] == ["Full name", "Email address"], labels
    screenshot(phone, "admin-users-360", full_page=True)


def test_the_verifier_sees_their_own_account_and_no_administration(journey):
    _step_done(journey, "verifier")
    _step_done(journey, "congo_user_path")
    verifier = journey.verifier
    verifier.get(url("/"))
    links = navigation(verifier)
    assert "Organisations" not in links and "Users" not in links

    for target in ("/admin/users", "/admin/organisations", "/admin/users/invite", "/admin/organisations/new",
                   journey.congo_user_path):
        verifier.get(url(target))
        assert document_status(verifier) == 403, target
        assert heading(verifier) == "You cannot do this", target
        page = verifier.page_source
        assert CONGO_EMAIL not in page and "Patrice" not in page and "Kivu" not in page, target

    verifier.get(url("/account"))
    assert document_status(verifier) == 200
    facts = verifier.find_element(By.CSS_SELECTOR, "dl.facts").text
    for expected in (VERIFIER_NAME, VERIFIER_EMAIL, "Cameroon Defenders Network", "Verifier"):
        assert expected in facts, f"{expected!r} missing from the account page: {facts!r}"
    screenshot(verifier, "verifier-account-1280", full_page=True)

    # The JSON API ignores the browser's session: only bearer tokens open it.
    verifier.get(url("/api/v1/me"))
    assert document_status(verifier) == 401
    assert VERIFIER_EMAIL not in verifier.page_source


def test_repeated_wrong_passwords_throttle_sign_in(journey):
    # Needs only the verifier's account (the throttle treats every account, even unknown, alike).
    _step_done(journey, "invitation_link")
    attacker = journey.driver()
    for _ in range(5):
        sign_in(attacker, VERIFIER_EMAIL, "not the right passphrase")
        assert "The email address or the password is not right." in " ".join(problems(attacker))
    sign_in(attacker, VERIFIER_EMAIL, VERIFIER_PASSPHRASE)
    assert document_status(attacker) == 429
    message = " ".join(problems(attacker))
    assert "Too many failed attempts" in message
    assert path(attacker).startswith("/sign-in") and not path(attacker).startswith("/sign-in/code")
    attacker.get(url("/account"))
    assert path(attacker).startswith("/sign-in"), "the throttled browser must not be signed in"


def test_forms_show_no_error_box_before_anything_is_sent(journey):
    # "Please correct the following" (role=alert) must appear only when something is to be corrected:
    # an empty box on a fresh form misleads people and makes screen readers announce an error.
    _step_done(journey, "admin")
    admin = journey.admin
    for target in ("/admin/users/invite", "/admin/organisations/new", "/account/password", "/account/tokens"):
        admin.get(url(target))
        assert document_status(admin) == 200, target
        assert problems(admin) == [], f"{target} shows an error box before anything was sent: {problems(admin)}"
