"""Alerts and verification (issue #5) in a real browser.

1. A defender raises an alert on the public form with JavaScript disabled, in French at /alerte and
   in English at /alert: receipt and passphrase, no other origin, no cookie but the CSRF one, then
   the follow-up page shows the status and takes more information.
2. A form sent without its narrative comes back with the problem box and everything typed kept.
3. The protocol: a public alert about Cameroon → the host's protection officer triages it (P1),
   assigns it and asks the partner verifier working in Cameroon → the verifier sees only that
   request, grades it B2 → the rule proposes "verified" → the officer decides, with grounds.

These tests run on an `egide serve` of their own (the `fresh_server` fixture): they claim it with
its setup link and build their own host, partners and accounts, so they depend neither on the
order of the test files nor on what test_identity.py did to the shared server.
Screenshots (360 px and 1280 px) land in the screenshots folder (see conftest.py); every page
screenshot must fit a 360 px phone without sideways scrolling.
"""
import json
import re
import time
import urllib.request
import uuid
from urllib.parse import urlsplit

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import make_driver, screenshot
from pages import choose, click_and_wait, current_step, fill, follow, heading, path, press, problems, tick, xpath_text

RUN = uuid.uuid4().hex[:8]  # makes every name and address of this run unique
PASSWORD = "alert desk harbour ninety"
RECEIPT = re.compile(r"^EG-[0-9A-Z]{4}-[0-9A-Z]{4}$")
PASSPHRASE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
PHONE = (360, 780)


# --- what a person does on a page ------------------------------------------------------------



















def text_of(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css).text




NETWORK = {}  # driver → every DevTools network event seen so far (reading Chromium's log drains it)


def network(driver):
    events = NETWORK.setdefault(id(driver), [])
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") in ("Network.requestWillBeSent", "Network.responseReceived"):
            events.append(message)
    return events


def last_status(driver):
    """The HTTP status of the last page the driver loaded."""
    statuses = [m["params"]["response"]["status"] for m in network(driver)
                if m["method"] == "Network.responseReceived" and m["params"].get("type") == "Document"]
    return statuses[-1] if statuses else None


def foreign_requests(driver, base_url):
    """Every request that left the instance's origin (data: URLs are inline and allowed)."""
    own = urlsplit(base_url)
    urls = [m["params"]["request"]["url"] for m in network(driver) if m["method"] == "Network.requestWillBeSent"]
    return [u for u in urls if not u.startswith("data:") and (urlsplit(u).scheme, urlsplit(u).netloc) != (own.scheme, own.netloc)]


def status_of(driver, target):
    """Loads `target` and returns the HTTP status of the document."""
    driver.get(target)
    return last_status(driver)


def page_width(driver):
    return driver.execute_script("return document.documentElement.scrollWidth")


def shots(driver, name):
    """Screenshots the whole page at 1280 px, then as a 360 px phone, and checks that it fits the
    phone's width. The phone is emulated on the same tab (so with the same session) only while the
    picture is taken: chromedriver can hang on clicks in a phone-emulating browser without JavaScript."""
    screenshot(driver, f"{name}-1280", full_page=True)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})
    try:
        time.sleep(0.2)  # let the layout settle at the new width
        width = page_width(driver)
        screenshot(driver, f"{name}-360", full_page=True)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert width <= PHONE[0], f"{path(driver)} is {width}px wide on a {PHONE[0]}px phone (see {name}-360.png)"


# --- an instance of our own, with a host and two partners ------------------------------------



def enrol(driver):
    """On the enrolment page: read the key, type the current code, keep going past the codes."""
    assert path(driver) == "/account/two-factor", f"expected the enrolment page, got {path(driver)}: {heading(driver)} {problems(driver)}"
    secret = driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    if time.time() % 30 > 28.5:  # never type a code in its last second
        time.sleep(2)
    fill(driver, "code", pyotp.TOTP(secret).at(current_step() * 30))
    press(driver, "Confirm")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#recovery-codes code")) == 10, problems(driver)
    follow(driver, "I have kept my codes — continue")
    # Signed in: each person lands on their work page (never back on the public home page).
    assert path(driver) in ("/attention", "/verification", "/admin/organisations", "/account"), (path(driver), problems(driver))
    return secret


class World:
    """The people of these tests, each in a browser of their own."""

    def __init__(self, server):
        self.server = server
        self.drivers = []
        self.host = f"Alert Desk {RUN}"
        self.cameroon = f"Douala Watch {RUN}"
        self.senegal = f"Dakar Observatory {RUN}"
        self.officer_name = f"Odile Officer {RUN}"
        self.verifier_name = f"Victor Verifier {RUN}"
        self.other_verifier_name = f"Saliou Verifier {RUN}"
        self.admin = self.officer = self.verifier = self.other_verifier = None

    def url(self, target):
        return self.server.url(target)

    def driver(self, **options):
        driver = make_driver(**options)
        self.drivers.append(driver)
        return driver

    def build(self):
        admin = self.admin = self.driver()
        admin.get(self.server.setup_link())
        assert heading(admin) == "Set up this Egide"
        fill(admin, "organisationName", self.host)
        fill(admin, "slug", f"desk-{RUN}")
        choose(admin, "country", "FR")
        fill(admin, "name", f"Ada Administrator {RUN}")
        fill(admin, "email", f"admin-{RUN}@desk.example")
        fill(admin, "password", PASSWORD)
        fill(admin, "passwordConfirmation", PASSWORD)
        press(admin, "Create the organisation and my account")
        enrol(admin)

        self.create_partner(self.cameroon, f"douala-{RUN}", "CM")
        self.create_partner(self.senegal, f"dakar-{RUN}", "SN")
        self.officer = self.join(self.invite(self.host, f"officer-{RUN}@desk.example", "protection_officer"), self.officer_name)
        self.verifier = self.join(self.invite(self.cameroon, f"verifier-{RUN}@douala.example", "verifier"), self.verifier_name)
        self.other_verifier = self.join(self.invite(self.senegal, f"verifier-{RUN}@dakar.example", "verifier"),
                                        self.other_verifier_name)

    def create_partner(self, name, slug, country):
        admin = self.admin
        admin.get(self.url("/admin/organisations/new"))
        fill(admin, "name", name)
        fill(admin, "slug", slug)
        choose(admin, "type", "partner")
        choose(admin, "country", country)
        press(admin, "Save")
        assert heading(admin) == name, problems(admin)

    def invite(self, organisation, email, role):
        admin = self.admin
        admin.get(self.url("/admin/users/invite"))
        Select(admin.find_element(By.ID, "organisation")).select_by_visible_text(organisation)
        fill(admin, "email", email)
        tick(admin, "roles[]", role)
        press(admin, "Create the invitation")
        assert admin.find_elements(By.ID, "invitation-link"), problems(admin)
        return admin.find_element(By.ID, "invitation-link").text.strip()

    def join(self, link, name):
        person = self.driver()
        person.get(link)
        assert heading(person) == "Create your account", link
        fill(person, "name", name)
        fill(person, "password", PASSWORD)
        fill(person, "passwordConfirmation", PASSWORD)
        press(person, "Create my account")
        enrol(person)
        return person


@pytest.fixture(scope="module")
def world(fresh_server):
    state = World(fresh_server)
    try:
        state.build()
        yield state
    finally:
        for driver in state.drivers:
            driver.quit()


# --- the public side --------------------------------------------------------------------------

def assert_only_the_csrf_cookie(driver):
    cookies = driver.get_cookies()
    assert [c["name"] for c in cookies] in (["egide-csrf"], ["__Host-egide-csrf"]), cookies
    cookie = cookies[0]
    assert "expiry" not in cookie, f"the CSRF cookie must end with the browser session: {cookie}"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie


PUBLIC = {
    "fr": dict(language="fr-FR", form="/fr/alerte", follow_up="/fr/alerte/suivi", add="/fr/alerte/suivi/ajout",
               heading="Lancer une alerte", submit="Envoyer l’alerte", receipt_heading="Votre alerte a bien été reçue",
               follow_link="Suivre cette alerte", see="Voir le statut", status="Reçue", add_submit="Envoyer",
               follow_heading="Suivre une alerte"),
    "en": dict(language="en", form="/en/alert", follow_up="/en/alert/follow-up", add="/en/alert/follow-up/add",
               heading="Raise an alert", submit="Send the alert", receipt_heading="Your alert has been received",
               follow_link="Follow up this alert", see="See the status", status="Received", add_submit="Send",
               follow_heading="Follow up an alert"),
    # A browser that asks for French: the address, not the browser, decides the language.
    "ar": dict(language="fr-FR", form="/ar/alert", follow_up="/ar/alert/follow-up", add="/ar/alert/follow-up/add",
               heading="أرسل بلاغًا", submit="أرسل البلاغ", receipt_heading="وصلنا بلاغك",
               follow_link="تابع هذا البلاغ", see="اعرض حالة البلاغ", status="تم الاستلام", add_submit="أرسل",
               follow_heading="متابعة بلاغ"),
}


def fill_public_form(driver, defender, narrative, country="CM"):
    fill(driver, "defenderName", defender)
    fill(driver, "organisationName", f"Collectif {RUN}")
    choose(driver, "country", country)
    fill(driver, "region", "Littoral")
    tick(driver, "categories[]", "threats")
    fill(driver, "narrative", narrative)
    tick(driver, "needs[]", "legal")


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_a_defender_raises_an_alert_without_javascript_and_follows_it_up(world, lang):
    words = PUBLIC[lang]
    sender = world.driver(javascript=False, language=words["language"])
    # The browser really runs no page script.
    sender.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert sender.title == "off"

    sender.get(world.url(words["form"]))
    assert sender.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert sender.find_element(By.TAG_NAME, "html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert last_status(sender) == 200
    assert heading(sender) == words["heading"]
    assert problems(sender) == [], "no problem box before anything was sent"
    narrative = f"Threatened at the market of Douala on Monday ({lang} {RUN}); men followed her home."
    fill_public_form(sender, f"Nadège {lang.upper()} {RUN}", narrative)
    if lang in ("fr", "ar"):
        shots(sender, f"alert-form-{lang}")
    press(sender, words["submit"])

    assert heading(sender) == words["receipt_heading"], problems(sender)
    assert last_status(sender) == 201
    receipt = text_of(sender, "#receipt")
    passphrase = text_of(sender, "#passphrase")
    assert RECEIPT.match(receipt), receipt
    assert PASSPHRASE.match(passphrase), passphrase
    if lang in ("fr", "ar"):
        shots(sender, "alert-receipt" if lang == "fr" else "alert-receipt-ar")
    assert foreign_requests(sender, world.server.base_url) == []
    assert_only_the_csrf_cookie(sender)

    follow(sender, words["follow_link"])
    assert path(sender) == words["follow_up"]
    assert heading(sender) == words["follow_heading"]
    fill(sender, "receipt", receipt)
    fill(sender, "passphrase", passphrase)
    press(sender, words["see"])
    assert text_of(sender, "#status .badge") == words["status"], problems(sender)
    if lang in ("fr", "ar"):
        shots(sender, "alert-follow-up-status" if lang == "fr" else "alert-follow-up-status-ar")

    fill(sender, "information", f"They came back on Tuesday ({lang} {RUN}).")
    press(sender, words["add_submit"])
    assert sender.find_elements(By.ID, "added"), problems(sender)
    assert text_of(sender, "#status .badge") == words["status"]

    # A wrong passphrase is refused with one vague message, and nothing else is shown.
    sender.get(world.url(words["follow_up"]))
    fill(sender, "receipt", receipt)
    fill(sender, "passphrase", "AAAAA-AAAAA-AAAAA-AAAAA")
    press(sender, words["see"])
    assert last_status(sender) == 422
    assert not sender.find_elements(By.ID, "status")
    assert problems(sender)

    assert foreign_requests(sender, world.server.base_url) == []
    assert_only_the_csrf_cookie(sender)
    # Nothing the sender typed or was given reaches the server's log.
    log = world.server.log()
    for secret in (receipt, passphrase, narrative, f"Nadège {lang.upper()} {RUN}"):
        assert secret not in log, f"{secret!r} appears in the server log"


def test_a_form_without_narrative_comes_back_with_the_problem_and_the_text_kept(world):
    sender = world.driver(javascript=False, language="fr-FR")
    sender.get(world.url("/alerte"))
    key = sender.find_element(By.NAME, "idempotencyKey").get_attribute("value")
    fill_public_form(sender, f"Mireille {RUN}", "   ")  # only spaces: `required` lets it through, the server does not
    fill(sender, "contact", "+237 6 00 00 00 00")
    choose(sender, "contactChannel", "signal")
    tick(sender, "consentToContact", "yes")
    press(sender, "Envoyer l’alerte")

    # The address printed on earlier posters serves the form; it sends to the form's own address.
    assert path(sender) == "/fr/alerte"
    assert last_status(sender) == 422
    assert heading(sender) == "Lancer une alerte"
    box = sender.find_element(By.CSS_SELECTOR, ".form-problems")
    assert box.get_attribute("role") == "alert"
    links = [a.get_attribute("href") for a in box.find_elements(By.TAG_NAME, "a")]
    assert len(links) == 1 and links[0].endswith("#narrative"), links
    assert "Ce qui s’est passé" in box.text, box.text
    # What was typed is all still there.
    assert sender.find_element(By.ID, "defenderName").get_attribute("value") == f"Mireille {RUN}"
    assert sender.find_element(By.ID, "organisationName").get_attribute("value") == f"Collectif {RUN}"
    assert sender.find_element(By.ID, "region").get_attribute("value") == "Littoral"
    assert Select(sender.find_element(By.ID, "country")).first_selected_option.get_attribute("value") == "CM"
    assert sender.find_element(By.CSS_SELECTOR, "input[name='categories[]'][value='threats']").is_selected()
    assert sender.find_element(By.CSS_SELECTOR, "input[name='needs[]'][value='legal']").is_selected()
    assert sender.find_element(By.ID, "contact").get_attribute("value") == "+237 6 00 00 00 00"
    assert Select(sender.find_element(By.ID, "contactChannel")).first_selected_option.get_attribute("value") == "signal"
    assert sender.find_element(By.ID, "consentToContact").is_selected()
    assert sender.find_element(By.NAME, "idempotencyKey").get_attribute("value") == key
    shots(sender, "alert-form-problem")

    # Corrected, it goes through.
    fill(sender, "narrative", f"Her office was searched last night ({RUN}).")
    press(sender, "Envoyer l’alerte")
    assert RECEIPT.match(text_of(sender, "#receipt")), problems(sender)


# --- the protocol -----------------------------------------------------------------------------

def public_api_alert(world, country, defender, narrative):
    body = json.dumps({"defenderName": defender, "country": country, "narrative": narrative,
                       "categories": ["arrest_detention"], "needs": ["legal"]}).encode()
    request = urllib.request.Request(world.url("/api/v1/public/alerts"), data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


def open_alert(officer, world, defender):
    """From the queue, the alert about `defender`; returns its path."""
    officer.get(world.url("/alerts"))
    assert heading(officer) == "Alerts"
    row = officer.find_element(By.XPATH, f"//table[contains(@class,'queue')]//tr[td[normalize-space()={xpath_text(defender)}]]")
    click_and_wait(officer, row.find_element(By.TAG_NAME, "a"))
    assert heading(officer) == defender
    return path(officer)


def verifier_options(officer):
    return [(box.get_attribute("value"), box.find_element(By.XPATH, "..").text)
            for box in officer.find_elements(By.CSS_SELECTOR, "#ask-verifiers input[name='verifiers[]']")]


def ask(officer, verifier_name):
    options = verifier_options(officer)
    chosen = [value for value, label in options if label.startswith(verifier_name)]
    assert len(chosen) == 1, options
    tick(officer, "verifiers[]", chosen[0])
    press(officer, "Send the request", scope="//form[@id='ask-verifiers']")
    assert not problems(officer), problems(officer)


def triage(officer, urgency):
    choose(officer, "urgency", urgency)
    press(officer, "Save the urgency", scope="//form[@id='triage']")
    assert not problems(officer), problems(officer)


def test_an_alert_is_triaged_verified_by_a_local_partner_and_decided(world):
    officer, verifier = world.officer, world.verifier
    defender = f"Joseph Mbarga {RUN}"
    narrative = f"Arrested at a checkpoint near Bamenda, held without charge ({RUN})."
    sender = public_api_alert(world, "CM", defender, narrative)
    # A second alert, about Senegal, asked of the other partner: the Cameroon verifier must not see it.
    other_defender = f"Awa Ndiaye {RUN}"
    public_api_alert(world, "SN", other_defender, f"Her radio station was closed ({RUN}).")

    # What needs the officer's attention: the new alerts to triage.
    officer.get(world.url("/attention"))
    assert heading(officer) == "Needs my attention"
    assert defender in officer.find_element(By.TAG_NAME, "main").text
    shots(officer, "attention-officer")

    # The queue, then the alert: not triaged yet.
    officer.get(world.url("/alerts"))
    assert defender in text_of(officer, "table.queue")
    shots(officer, "alerts-queue")
    alert_path = open_alert(officer, world, defender)
    assert re.fullmatch(r"/alerts/[0-9a-f-]{36}", alert_path), alert_path
    assert narrative in text_of(officer, "#narrative")
    assert text_of(officer, "#alert-status") == "Received"

    triage(officer, "p1")
    assert path(officer) == alert_path
    assert text_of(officer, "#alert-urgency").startswith("P1")
    Select(officer.find_element(By.ID, "assignee")).select_by_visible_text(world.officer_name)
    press(officer, "Assign", scope="//form[@id='assign']")
    assert world.officer_name in text_of(officer, "dl.facts")

    # Verifiers working in the alert's country come first.
    options = verifier_options(officer)
    assert options and options[0][1].startswith(world.verifier_name) and "Cameroon" in options[0][1], options
    assert any(label.startswith(world.other_verifier_name) for _, label in options), options
    fill(officer, "message", "Can you confirm the arrest with the family?")
    ask(officer, world.verifier_name)
    assert text_of(officer, "#alert-status") == "In verification"
    assert world.verifier_name in text_of(officer, "#verification")
    assert "Waiting for an answer" in text_of(officer, "#verification")
    shots(officer, "alert-page")

    other_path = open_alert(officer, world, other_defender)
    triage(officer, "p3")
    assert verifier_options(officer)[0][1].startswith(world.other_verifier_name)
    ask(officer, world.other_verifier_name)

    # The Cameroon verifier sees this one request, and only it.
    assert status_of(verifier, world.url("/verification")) == 200
    pending = verifier.find_elements(By.CSS_SELECTOR, "#pending li")
    assert len(pending) == 1, [li.text for li in pending]
    assert "Cameroon" in pending[0].text and "P1" in pending[0].text
    assert "Senegal" not in text_of(verifier, "main")
    verifier.get(world.url("/attention"))
    assert len(verifier.find_elements(By.CSS_SELECTOR, "#verification-requests li")) == 1
    shots(verifier, "attention-verifier")
    verifier.get(world.url("/verification"))
    click_and_wait(verifier, verifier.find_element(By.CSS_SELECTOR, "#pending li a"))
    request_path = path(verifier)
    assert re.fullmatch(r"/verification/[0-9a-f-]{36}", request_path), request_path
    assert heading(verifier) == "Verify an alert"
    assert narrative in text_of(verifier, "#narrative")
    assert "Can you confirm the arrest with the family?" in text_of(verifier, "main")
    shots(verifier, "verification-request")

    # Nothing of the protection team's side is open to the verifier.
    assert status_of(verifier, world.url("/alerts")) == 403
    assert defender not in verifier.page_source
    assert status_of(verifier, world.url(alert_path)) in (403, 404)
    assert narrative not in verifier.page_source
    assert status_of(verifier, world.url(other_path)) in (403, 404)
    assert other_defender not in verifier.page_source

    verifier.get(world.url(request_path))
    choose(verifier, "reliability", "B")
    choose(verifier, "credibility", "2")
    fill(verifier, "notes", "Confirmed by his brother and by a lawyer who saw him in custody.")
    press(verifier, "Send the finding", scope="//form[@id='finding']")
    assert path(verifier) == "/verification", problems(verifier)
    assert verifier.find_elements(By.CSS_SELECTOR, "#pending li") == []
    assert "Answered" in text_of(verifier, "main")
    # Once answered, the request no longer shows the alert.
    verifier.get(world.url(request_path))
    assert narrative not in text_of(verifier, "main")

    # The officer sees the finding and the rule's proposal, and decides.
    officer.get(world.url(alert_path))
    proposal = officer.find_element(By.ID, "proposal")
    assert "notice-ok" in proposal.get_attribute("class").split(), proposal.get_attribute("class")
    assert "“verified”" in proposal.text and "B2" in proposal.text, proposal.text
    assert "B2" in text_of(officer, ".finding .grade")
    assert "Confirmed by his brother" in text_of(officer, ".finding")
    choose(officer, "decision", "verified")
    fill(officer, "grounds", "A usually reliable partner confirmed the arrest with two sources.")
    press(officer, "Record the decision", scope="//form[@id='decide']")
    assert text_of(officer, "#alert-status") == "Verified", problems(officer)
    assert "A usually reliable partner confirmed the arrest" in text_of(officer, "main")
    assert "Decision: Verified" in text_of(officer, "#timeline")
    assert "Finding received: B2" in text_of(officer, "#timeline")
    shots(officer, "alert-page-decided")

    # The sender is told only that the alert is being handled.
    request = urllib.request.Request(world.url("/api/v1/public/alerts/status"), method="POST",
                                     data=json.dumps(sender).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["status"] == "in_progress"



def test_the_officer_reads_the_queue_and_an_alert_in_arabic(world):
    """The same session switches to Arabic: the pages turn right to left, keep Western digits, fit
    a phone, and switch back."""
    officer = world.officer
    officer.get(world.url("/alerts"))
    click_and_wait(officer, officer.find_element(By.LINK_TEXT, "العربية"))
    html = officer.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert path(officer) == "/alerts"
    main = text_of(officer, "main")
    assert re.search("[\u0600-\u06FF]", heading(officer)), heading(officer)
    assert not re.search("[\u0660-\u0669]", main), "Arabic-Indic digits on the page"
    shots(officer, "alerts-queue-ar")
    # The navigation starts on the right: the brand sits right of the menu.
    brand = officer.find_element(By.CSS_SELECTOR, ".site-header .brand").rect
    assert brand["x"] > officer.execute_script("return window.innerWidth") / 2, brand
    links = [a.get_attribute("href") for a in officer.find_elements(By.CSS_SELECTOR, "main a")
             if re.search(r"/alerts/[0-9a-f-]{36}$", a.get_attribute("href") or "")]
    assert links, "no alert in the queue"
    officer.get(links[0])
    assert officer.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    assert officer.find_elements(By.ID, "alert-status")
    shots(officer, "alert-page-ar")
    officer.get(world.url("/attention"))
    shots(officer, "attention-ar")
    click_and_wait(officer, officer.find_element(By.LINK_TEXT, "English"))
    assert officer.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"
