"""The emergency fund (issue #17) in a real browser with JavaScript disabled, in French and in English.

The world, built once on an `egide serve` of the module's own (conftest's `fresh_server`), the way
test_alerts.py builds its own: the host (Lyon) with two fund managers, a consortium-member office
(Tunis) with two fund managers, two partners of the same country (Cameroon) each with a fund
manager, and a protection officer at the first partner. Then every movement of money through the
pages, as people do it:

- The fund (fixture `fund`, once): Lyon's first manager opens it at /funds/new naming the second,
  allocates 40 000 EUR to Tunis with a delegation limit of 5 000 (confirming their own proposal is
  refused), the second manager confirms; Tunis's first manager sub-allocates 10 000 (limit 1 000) to
  the first partner and 5 000 to its sibling (a limit above Tunis's own is refused, the form keeps
  what was typed), Tunis's second manager confirms both.
- Once per language: the partner's fund manager records an exchange rate (1 EUR = 655.957 XAF) →
  the partner's protection officer requests a grant at /grants/new above the partner's limit (with
  budget lines) → the page waits for the partner and Tunis → the partner's fund manager approves:
  "approval recorded", the page now waits for Tunis only and refuses them a second approval →
  Tunis's fund manager (told so under "Needs my attention") approves: approved → the partner's fund
  manager records a payment in XAF at the suggested rate, with a receipt (PDF) that comes back
  intact → paid, valued in EUR by the rounding rule → report requested (due within a week: under
  "Needs my attention") → report received → closed, with the history in order. The sibling
  partner's fund manager gets 404 on the grant and its file and does not see it anywhere; the fund
  statement (print page) and its CSV export, from the fund page's links, add up for the owner and
  show the sibling nothing of the first partner.

Screenshots at 1280 px and 360 px land in the screenshots folder; every page photographed must fit
a 360 px phone (test_alerts.shots); when one does not, the failure names what sticks out (badges
that hold a sentence, such as "Waiting for approval by …", must wrap).
"""
import csv
import datetime
import http.client
import io
import json
import pathlib
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from pages import choose, click_and_wait, fill, heading, path, press, problems, submit, type_date, xpath_text
from test_alerts import PASSWORD, PHONE, RUN, World, enrol, last_status, shots, status_of, text_of
from test_cases import assert_fine, no_script, spaces, speak

LOCALES = pathlib.Path(__file__).resolve().parents[2] / "Resources" / "Locales"
CATALOGUE = {lang: json.loads((LOCALES / lang / "fund.json").read_text(encoding="utf-8")) for lang in ("fr", "en")}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
GRANT_CODE = re.compile(r"^GR-\d{4}-\d{4}$")
TODAY = datetime.date.today()

# The fund, in EUR minor units (cents).
BUDGET, TUNIS_AMOUNT, TUNIS_LIMIT = 100_000_00, 40_000_00, 5_000_00
PARTNER_AMOUNT, PARTNER_LIMIT, SIBLING_AMOUNT = 10_000_00, 1_000_00, 5_000_00
# The fund's eligible categories, as the fund page lists them (in the catalogue's order).
CATEGORIES = {"digital_security": "Digital security", "legal": "Legal support", "medical_psychosocial": "Medical and psychosocial",
              "urgent_relocation": "Urgent relocation"}
# A tiny PDF: receipts and reports are stored encrypted and given back as they were sent.
RECEIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def t(lang, key, *args):
    """The catalogue's text for `key` in `lang`, with its {0}, {1}… filled."""
    text = CATALOGUE[lang][key]
    for index, value in enumerate(args):
        text = text.replace("{%d}" % index, value)
    return text


def euros(minor, lang):
    """An amount as the pages show it (Money.formatted), with plain spaces (see `spaces`)."""
    major, cents = divmod(minor, 100)
    if lang == "fr":
        return f"{major:,}".replace(",", " ") + f",{cents:02d} €"
    return f"EUR {major:,}.{cents:02d}"


MONTHS = {
    "en": [["Jan"], ["Feb"], ["Mar"], ["Apr"], ["May"], ["Jun"], ["Jul"], ["Aug"], ["Sep", "Sept"], ["Oct"], ["Nov"], ["Dec"]],
    "fr": [["janv."], ["févr."], ["mars"], ["avr."], ["mai"], ["juin"], ["juil."], ["août"], ["sept."], ["oct."], ["nov."], ["déc."]],
}


def day_shown(day, lang):
    """The ways a page may write `day`: ISO, or as people read it (`10 Dec 2026`, `10 déc. 2026`)."""
    return [day.isoformat()] + [f"{day.day} {month} {day.year}" for month in MONTHS[lang][day.month - 1]]


def shows_day(text, day, lang):
    return any(form in text for form in day_shown(day, lang))


def decimal(minor):
    """An amount as the CSV writes it: a plain decimal with a point."""
    return f"{minor // 100}.{minor % 100:02d}"


# What each language types and reads. Amounts above the partner's limit (1 000) and within Tunis's
# (5 000), typed with each language's habits; the payment in francs CFA (no decimals) at
# 655.957 XAF for 1 EUR is worth, in EUR, paid ÷ rate rounded half away from zero.
WORDS = {
    "fr": dict(
        amount_typed="2 500,00", amount=2_500_00, lines=[("Honoraires d’avocat", "1 800,00"), ("Transport au tribunal", "700,00")],
        category="legal", rate_typed="655,957", paid_typed="1 639 893", paid_shown="1 639 893 XAF",  # 2 500,00076… → 2 500,00
        submitted="Soumise", screening="En examen", approved="Approuvée", disbursed="Versée", report_due="Rapport attendu",
        justified="Justifiée", closed="Clôturée", country="Cameroun", category_label="Soutien juridique",
    ),
    "en": dict(
        amount_typed="3,000.00", amount=3_000_00, lines=[("Medical care", "2,250.00"), ("Counselling sessions", "750.00")],
        category="medical_psychosocial", rate_typed="655.957", paid_typed="1,967,871", paid_shown="XAF 1,967,871",  # exactly 3,000.00
        submitted="Submitted", screening="Screening", approved="Approved", disbursed="Paid", report_due="Report due",
        justified="Justified", closed="Closed", country="Cameroon", category_label="Medical and psychosocial",
    ),
}


# --- the people -------------------------------------------------------------------------------

class FundWorld(World):
    """The host (Lyon), the Tunis office, two Cameroon partners, and their people; every browser
    without JavaScript."""

    def __init__(self, server):
        super().__init__(server)
        self.host = f"Lyon Office {RUN}"
        self.tunis = f"Tunis Office {RUN}"
        self.partner = f"Douala Rights {RUN}"
        self.sibling = f"Yaounde Watch {RUN}"
        self.names = {
            "lyon1": f"Louise Lyon {RUN}", "lyon2": f"Marc Lyon {RUN}",
            "tunis1": f"Amel Tunis {RUN}", "tunis2": f"Karim Tunis {RUN}",
            "partner": f"Paul Douala {RUN}", "sibling": f"Sara Yaounde {RUN}", "officer": f"Odette Douala {RUN}",
        }
        self.people = {}
        self.committed = 0  # what the first partner's grants have committed (and paid) so far, in cents

    def driver(self, **options):
        options.setdefault("javascript", False)
        driver = super().driver(**options)
        # The browser really runs no page script.
        driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
        assert driver.title == "off"
        return driver

    def build(self):
        admin = self.admin = self.driver()
        admin.get(self.server.setup_link())
        fill(admin, "organisationName", self.host)
        fill(admin, "slug", f"lyon-{RUN}")
        choose(admin, "country", "FR")
        fill(admin, "name", f"Ada Administrator {RUN}")
        fill(admin, "email", f"admin-{RUN}@lyon.example")
        fill(admin, "password", PASSWORD)
        fill(admin, "passwordConfirmation", PASSWORD)
        press(admin, "Create the organisation and my account")
        enrol(admin)

        self.create_organisation(self.tunis, f"tunis-{RUN}", "consortium_member", "TN")
        self.create_organisation(self.partner, f"douala-{RUN}", "partner", "CM")
        self.create_organisation(self.sibling, f"yaounde-{RUN}", "partner", "CM")
        for key, organisation, role in (("lyon1", self.host, "fund_manager"), ("lyon2", self.host, "fund_manager"),
                                        ("tunis1", self.tunis, "fund_manager"), ("tunis2", self.tunis, "fund_manager"),
                                        ("partner", self.partner, "fund_manager"), ("sibling", self.sibling, "fund_manager"),
                                        ("officer", self.partner, "protection_officer")):
            self.people[key] = self.join(self.invite(organisation, f"{key}-{RUN}@fund.example", role), self.names[key])

    def create_organisation(self, name, slug, kind, country):
        admin = self.admin
        admin.get(self.url("/admin/organisations/new"))
        fill(admin, "name", name)
        fill(admin, "slug", slug)
        choose(admin, "type", kind)
        choose(admin, "country", country)
        press(admin, "Save")
        assert heading(admin) == name, problems(admin)


@pytest.fixture(scope="module")
def world(fresh_server):
    state = FundWorld(fresh_server)
    try:
        state.build()
        yield state
    finally:
        for driver in state.drivers:
            driver.quit()


# --- steps ------------------------------------------------------------------------------------

def flash(driver):
    return text_of(driver, "p.flash[role='status']")


def refused(driver, status, message):
    """The same page came back with `status` and `message` in its problem box."""
    assert last_status(driver) == status, f"{driver.current_url} answered {last_status(driver)}, expected {status}: {problems(driver)}"
    assert any(message in box for box in problems(driver)), (message, problems(driver))


def tick_person(driver, name, person):
    boxes = driver.find_elements(By.CSS_SELECTOR, f"input[name='{name}']")
    chosen = [b for b in boxes if b.find_element(By.XPATH, "..").text.strip().startswith(person)]
    assert len(chosen) == 1, [b.find_element(By.XPATH, "..").text for b in boxes]
    if not chosen[0].is_selected():
        chosen[0].click()


def allocate(driver, source_value, organisation, amount, limit):
    choose(driver, "source", source_value)
    Select(driver.find_element(By.ID, "organisation")).select_by_visible_text(organisation)
    fill(driver, "amount", amount)
    fill(driver, "limit", limit)
    submit(driver, "#allocate form")


def confirm_allocation(driver, organisation):
    form = driver.find_element(By.XPATH, f"//form[contains(@class,'confirm-row')][contains(., {xpath_text(organisation)})]")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[name='decision'][value='confirm']"))


def allocation_row(driver, organisation):
    return spaces(driver.find_element(By.XPATH, f"//section[@id='allocations']//tr[.//strong[normalize-space()={xpath_text(organisation)}]]").text)


def main_text(driver):
    return spaces(driver.find_element(By.TAG_NAME, "main").text)


def fetch(world, target, driver):
    """GETs `target` with `driver`'s cookies, outside the browser (a download): (status, headers, body)."""
    parts = urlsplit(world.server.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    connection.request("GET", target, headers={"Cookie": cookies})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, headers, body


OVERFLOWING = """
const width = document.documentElement.clientWidth;
const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 0.5);
return wide.filter(e => !wide.some(other => other !== e && e.contains(other))).map(e => {
  const owner = e.closest('[id]');
  return (owner ? '#' + owner.id + ' ' : '') + e.tagName.toLowerCase() + (e.classList.contains('badge') ? '.badge' : '');
});
"""


def overflowing(driver):
    """What sticks out of a 360 px phone's width on this page (the innermost elements)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})
    try:
        return driver.execute_script(OVERFLOWING)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def photograph(world, driver, name):
    """test_alerts.shots (1280 px and 360 px, must fit the phone); on a failure, says which
    elements stick out of the phone's width."""
    try:
        shots(driver, name)
    except AssertionError as problem:
        raise AssertionError(f"{problem}; sticking out: {overflowing(driver)}") from None


def grant_state(driver):
    return text_of(driver, "#grant-state")


def waiting_for(driver):
    found = driver.find_elements(By.ID, "waiting-for")
    return found[0].text if found else None


# --- the fund, opened and allocated in cascade ------------------------------------------------

@pytest.fixture(scope="module")
def fund(world):
    lyon1, lyon2 = world.people["lyon1"], world.people["lyon2"]
    tunis1, tunis2 = world.people["tunis1"], world.people["tunis2"]

    # Lyon's first manager opens the fund, naming the second.
    lyon1.get(world.url("/funds"))
    assert_fine(lyon1, "/funds")
    click_and_wait(lyon1, lyon1.find_element(By.CSS_SELECTOR, "main a[href='/funds/new']"))
    assert_fine(lyon1, "/funds/new")
    assert heading(lyon1) == "Open an emergency fund"
    no_script(lyon1)
    name = f"EU Emergency Fund {RUN}"
    fill(lyon1, "name", name)
    fill(lyon1, "donor", "European Union")
    choose(lyon1, "currency", "EUR")
    fill(lyon1, "budget", "100 000,00")
    fill(lyon1, "ceiling", "10000")
    type_date(lyon1, "startsOn", (TODAY - datetime.timedelta(days=30)).isoformat())
    type_date(lyon1, "endsOn", (TODAY + datetime.timedelta(days=365)).isoformat())
    # Every category comes ticked: keep four.
    for box in lyon1.find_elements(By.CSS_SELECTOR, "input[name='categories[]']"):
        if box.is_selected() != (box.get_attribute("value") in CATEGORIES):
            box.click()
    fill(lyon1, "criteria", "Defenders at imminent risk in Central Africa; one grant per need.")
    tick_person(lyon1, "managers[]", world.names["lyon2"])
    photograph(world, lyon1, "fund-new")
    submit(lyon1, "form[action='/funds']")
    fund_path = path(lyon1)
    assert re.fullmatch(f"/funds/{UUID}", fund_path), f"{fund_path}: {problems(lyon1)}"
    assert_fine(lyon1, fund_path)
    assert flash(lyon1) == t("en", "flash.fund.created")
    assert heading(lyon1) == name
    facts = spaces(text_of(lyon1, "dl.facts"))
    assert world.names["lyon1"] in facts and world.names["lyon2"] in facts, facts
    assert euros(BUDGET, "en") in facts and euros(10_000_00, "en") in facts, facts
    assert [li.text for li in lyon1.find_elements(By.CSS_SELECTOR, "ul.inline-list li")] == list(CATEGORIES.values())

    # Lyon allocates to Tunis; the proposer may not confirm their own allocation.
    allocate(lyon1, "fund", world.tunis, "40000", "5000")
    assert_fine(lyon1, fund_path)
    assert flash(lyon1) == t("en", "flash.fund.allocationProposed")
    assert "To confirm" in allocation_row(lyon1, world.tunis)
    confirm_allocation(lyon1, world.tunis)
    refused(lyon1, 409, t("en", "fund.refusal.ownAllocation"))

    # The second manager is told, and confirms.
    lyon2.get(world.url("/attention"))
    assert name in text_of(lyon2, "#fund-decisions"), text_of(lyon2, "#fund-decisions")
    lyon2.get(world.url(fund_path))
    confirm_allocation(lyon2, world.tunis)
    assert_fine(lyon2, fund_path)
    assert flash(lyon2) == t("en", "flash.fund.allocationConfirmed")
    row = allocation_row(lyon2, world.tunis)
    assert "Active" in row and euros(TUNIS_AMOUNT, "en") in row and euros(TUNIS_LIMIT, "en") in row, row

    # Tunis passes money on to both Cameroon partners, from its own allocation only.
    tunis1.get(world.url("/funds"))
    assert name in text_of(tunis1, "#funds")
    tunis1.get(world.url(fund_path))
    assert_fine(tunis1, fund_path)
    sources = Select(tunis1.find_element(By.ID, "source")).options
    assert len(sources) == 1 and euros(TUNIS_AMOUNT, "en") in spaces(sources[0].text), [s.text for s in sources]
    own = sources[0].get_attribute("value")
    allocate(tunis1, own, world.partner, "10000", "6000")  # above Tunis's own limit
    refused(tunis1, 409, t("en", "fund.refusal.limitAboveParent"))
    assert tunis1.find_element(By.ID, "amount").get_attribute("value") == "10000"
    assert Select(tunis1.find_element(By.ID, "organisation")).first_selected_option.text == world.partner
    allocate(tunis1, own, world.partner, "10000", "1000")
    assert_fine(tunis1, fund_path)
    allocate(tunis1, own, world.sibling, "5000", "1000")
    assert_fine(tunis1, fund_path)

    tunis2.get(world.url(fund_path))
    confirm_allocation(tunis2, world.partner)
    assert_fine(tunis2, fund_path)
    confirm_allocation(tunis2, world.sibling)
    assert_fine(tunis2, fund_path)
    for organisation, amount in ((world.partner, PARTNER_AMOUNT), (world.sibling, SIBLING_AMOUNT)):
        row = allocation_row(tunis2, organisation)
        assert "Active" in row and euros(amount, "en") in row and euros(PARTNER_LIMIT, "en") in row, row
    row = allocation_row(tunis2, world.tunis)
    assert euros(PARTNER_AMOUNT + SIBLING_AMOUNT, "en") in row, f"Tunis has passed on 15,000.00: {row}"
    no_script(tunis2)
    photograph(world, tunis2, "fund-cascade")
    return dict(path=fund_path, name=name)


# --- a grant, from the request to its closure -------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_grant_above_the_partner_limit_is_approved_twice_paid_in_francs_cfa_reported_and_closed(world, fund, lang, tmp_path):
    words = WORDS[lang]
    people = world.people
    officer, partner, tunis1, sibling, lyon1 = (people[k] for k in ("officer", "partner", "tunis1", "sibling", "lyon1"))
    for driver in (officer, partner, tunis1, sibling, lyon1):
        speak(driver, world, lang)
    amount = words["amount"]

    # 1. Finance (the partner's fund manager) records the day's rate.
    partner.get(world.url("/funds/rates"))
    assert_fine(partner, "/funds/rates")
    no_script(partner)
    choose(partner, "fundCurrency", "EUR")
    choose(partner, "paymentCurrency", "XAF")
    fill(partner, "rate", words["rate_typed"])
    submit(partner, "#rate-form")
    assert_fine(partner, "/funds/rates")
    assert flash(partner) == t(lang, "flash.fund.rateRecorded")
    assert re.search(r"655[.,]957", text_of(partner, "#rates")), text_of(partner, "#rates")
    if lang == "fr":
        photograph(world, partner, "fund-rates")

    # 2. The protection officer requests a grant above the partner's delegation limit.
    if lang == "fr":
        officer.get(world.url("/grants/new"))
    else:  # from the grants list, "Request a grant under …"
        officer.get(world.url("/grants"))
        assert_fine(officer, "/grants")
        submit(officer, "#request-grant")
    assert_fine(officer, "/grants/new")
    assert heading(officer) == t(lang, "grant.new.heading")
    no_script(officer)
    allocations = Select(officer.find_element(By.ID, "allocation")).options
    assert len(allocations) == 1 and fund["name"] in allocations[0].text, [o.text for o in allocations]
    assert euros(PARTNER_LIMIT, lang) in spaces(allocations[0].text), allocations[0].text
    choose(officer, "allocation", allocations[0].get_attribute("value"))
    choose(officer, "category", words["category"])
    choose(officer, "country", "CM")
    beneficiary = f"Aminatou Bello {lang.upper()} {RUN}"
    fill(officer, "beneficiary", beneficiary)
    fill(officer, "amount", words["amount_typed"])
    labels = officer.find_elements(By.NAME, "lineLabel[]")
    amounts = officer.find_elements(By.NAME, "lineAmount[]")
    for index, (label, value) in enumerate(words["lines"]):
        labels[index].send_keys(label)
        amounts[index].send_keys(value)
    justification = f"Arrested twice this month for her reporting on land grabs in Douala ({lang} {RUN})."
    fill(officer, "justification", justification)
    photograph(world, officer, f"grant-new-{lang}")
    submit(officer, "form[action='/grants']")
    grant_path = path(officer)
    assert re.fullmatch(f"/grants/{UUID}", grant_path), f"{grant_path}: {problems(officer)}"
    assert_fine(officer, grant_path)
    no_script(officer)
    assert flash(officer) == t(lang, "flash.grant.submitted")
    code = text_of(officer, "h1.code")
    assert GRANT_CODE.match(code), code
    assert grant_state(officer) == words["submitted"]
    # Above the partner's limit: the partner and the level above must both approve.
    assert waiting_for(officer) == t(lang, "grant.show.waitingFor", f"{world.partner}, {world.tunis}"), waiting_for(officer)
    assert not officer.find_elements(By.ID, "approve"), "the requester never approves"
    assert beneficiary in text_of(officer, "#beneficiary")
    assert justification in text_of(officer, "#justification")
    facts = spaces(text_of(officer, "dl.facts"))
    assert euros(amount, lang) in facts and world.partner in facts and world.names["officer"] in facts, facts
    body = main_text(officer)
    for label, value in words["lines"]:
        assert label in body, (label, body)
    # The duplicate-support check is for those who decide: a requester could otherwise learn whether
    # any name they type is supported elsewhere.
    assert not officer.find_elements(By.ID, "duplicate-check")

    # 3. The partner's fund manager approves: their approval is recorded, the grant waits for Tunis.
    partner.get(world.url("/attention"))
    assert code in text_of(partner, "#fund-decisions"), text_of(partner, "#fund-decisions")
    partner.get(world.url(grant_path))
    assert_fine(partner, grant_path)
    assert text_of(partner, "#duplicate-check") and t(lang, "grant.duplicate.none") in text_of(partner, "#duplicate-check")
    submit(partner, "#approve")
    assert_fine(partner, grant_path)
    assert flash(partner) == t(lang, "flash.grant.approvalRecorded")
    assert grant_state(partner) == words["screening"]
    assert waiting_for(partner) == t(lang, "grant.show.waitingFor", world.tunis), waiting_for(partner)
    assert not partner.find_elements(By.ID, "approve")
    assert text_of(partner, "#approve-blocked") == t(lang, "grant.refusal.alreadyApproved")
    approvals = spaces(text_of(partner, "#approvals"))
    assert world.names["partner"] in approvals and t(lang, "grant.approval.limit", euros(PARTNER_LIMIT, lang)) in approvals, approvals
    assert not partner.find_elements(By.ID, "disburse"), "nothing is paid before the grant is approved"
    photograph(world, partner, f"grant-waiting-{lang}")

    # 4. Tunis's fund manager, told under "Needs my attention", approves: the grant is approved.
    tunis1.get(world.url("/attention"))
    assert code in text_of(tunis1, "#fund-decisions"), text_of(tunis1, "#fund-decisions")
    if lang == "fr":
        photograph(world, tunis1, "fund-attention")
    tunis1.get(world.url(grant_path))
    assert_fine(tunis1, grant_path)
    assert t(lang, "grant.show.waitingFor", world.tunis) == waiting_for(tunis1)
    submit(tunis1, "#approve")
    assert_fine(tunis1, grant_path)
    assert flash(tunis1) == t(lang, "flash.grant.approved")
    assert grant_state(tunis1) == words["approved"]
    assert waiting_for(tunis1) is None
    approvals = spaces(text_of(tunis1, "#approvals"))
    assert world.names["tunis1"] in approvals and t(lang, "grant.approval.limit", euros(TUNIS_LIMIT, lang)) in approvals, approvals
    assert len(tunis1.find_elements(By.CSS_SELECTOR, "#approvals li")) == 2
    world.committed += amount

    # 5. The partner's fund manager pays in francs CFA at the suggested rate, with a receipt.
    partner.get(world.url(grant_path))
    assert_fine(partner, grant_path)
    assert Select(partner.find_element(By.ID, "paidCurrency")).first_selected_option.get_attribute("value") == "XAF"
    assert partner.find_element(By.ID, "rate").get_attribute("value") in ("655.957", "655,957")
    choose(partner, "method", "mobile_money")
    fill(partner, "paidAmount", words["paid_typed"])
    receipt = tmp_path / f"receipt-{lang}.pdf"
    receipt.write_bytes(RECEIPT)
    partner.find_element(By.ID, "receipt").send_keys(str(receipt))
    fill(partner, "disburse-note", f"Sent by mobile money to her lawyer ({lang} {RUN}).")
    submit(partner, "#disburse")
    assert_fine(partner, grant_path)
    assert flash(partner) == t(lang, "flash.grant.disbursed")
    assert grant_state(partner) == words["disbursed"]
    tranche = spaces(text_of(partner, "#disbursements tbody tr"))
    assert words["paid_shown"] in tranche, tranche
    assert re.search(r"1 EUR = 655[.,]957 XAF", tranche) and shows_day(tranche, TODAY, lang), tranche
    assert euros(amount, lang) in tranche, f"the payment is worth the whole grant: {tranche}"
    assert not partner.find_elements(By.ID, "disburse"), "nothing is left to pay"
    files = partner.find_elements(By.CSS_SELECTOR, "#history a[href*='/files/']")
    assert len(files) == 1, [a.get_attribute("href") for a in files]
    file_path = urlsplit(files[0].get_attribute("href")).path
    status, headers, body = fetch(world, file_path, partner)
    assert status == 200 and body == RECEIPT, (status, headers, body[:80])
    assert headers.get("content-disposition", "").startswith("attachment"), headers
    photograph(world, partner, f"grant-paid-{lang}")

    # 6. The report is requested, due within a week: a reminder under "Needs my attention".
    due = TODAY + datetime.timedelta(days=5)
    type_date(partner, "dueOn", due.isoformat())
    submit(partner, "#request-report")
    assert_fine(partner, grant_path)
    assert flash(partner) == t(lang, "flash.grant.reportRequested")
    assert grant_state(partner) == words["report_due"]
    assert shows_day(text_of(partner, "dl.facts"), due, lang), text_of(partner, "dl.facts")
    partner.get(world.url("/attention"))
    assert code in text_of(partner, "#grant-reports"), text_of(partner, "#grant-reports")

    # 7. The report is received, then the grant closed.
    partner.get(world.url(grant_path))
    fill(partner, "report-note", f"Her lawyer's invoice and the court summons; she is free ({lang} {RUN}).")
    report = tmp_path / f"report-{lang}.pdf"
    report.write_bytes(RECEIPT)
    partner.find_element(By.ID, "report-file").send_keys(str(report))
    submit(partner, "#report")
    assert_fine(partner, grant_path)
    assert flash(partner) == t(lang, "flash.grant.reportReceived")
    assert grant_state(partner) == words["justified"]
    assert len(partner.find_elements(By.CSS_SELECTOR, "#history a[href*='/files/']")) == 2
    submit(partner, "#close")
    assert_fine(partner, grant_path)
    assert flash(partner) == t(lang, "flash.grant.closed")
    assert grant_state(partner) == words["closed"]
    for step in ("close", "request-report", "report", "disburse", "approve"):
        assert not partner.find_elements(By.ID, step), f"#{step} is still offered on a closed grant"
    history = text_of(partner, "#history")
    steps = [t(lang, f"grant.entry.{kind}") for kind in
             ("closed", "reportReceived", "reportRequested", "disbursed", "approved", "approval", "submitted")]
    positions = [history.find(step) for step in steps]
    assert all(p >= 0 for p in positions), (steps, history)
    assert positions == sorted(positions), f"the history is not newest first: {history}"
    photograph(world, partner, f"grant-closed-{lang}")

    # 8. The requester sees it closed in their list; the sibling partner gets 404 and sees nothing.
    officer.get(world.url("/grants?state=all"))
    assert code in [a.text for a in officer.find_elements(By.CSS_SELECTOR, "#grants a.code")]
    if lang == "fr":
        photograph(world, officer, "grants-list")
    assert status_of(sibling, world.url(grant_path)) == 404
    assert beneficiary not in sibling.page_source and code not in sibling.page_source
    assert status_of(sibling, world.url(file_path)) == 404
    sibling.get(world.url("/grants?state=all"))
    assert last_status(sibling) == 200
    assert code not in main_text(sibling)
    sibling.get(world.url(fund["path"]))
    assert_fine(sibling, fund["path"])
    assert world.sibling in text_of(sibling, "#allocations")
    # (The sibling may name the first partner as an organisation of its country to pass money on
    # to, in the Allocate form; it never sees its allocation, nor Tunis's.)
    statement = text_of(sibling, "#allocations") + text_of(sibling, "#spending")
    assert world.partner not in statement and world.tunis not in statement, f"a partner sees its own allocation only: {statement}"

    # 9. The fund's statement: the print-ready page and the CSV export, from the fund page's links.
    lyon1.get(world.url(fund["path"]))
    assert_fine(lyon1, fund["path"])
    links = {a.text: a.get_attribute("href") for a in lyon1.find_elements(By.CSS_SELECTOR, "main a")}
    print_href, csv_href = links.get(t(lang, "fund.statement.print")), links.get(t(lang, "fund.statement.csv"))
    assert print_href and csv_href, links
    row = allocation_row(lyon1, world.partner)
    assert euros(world.committed, lang) in row and euros(PARTNER_AMOUNT - world.committed, lang) in row, row
    click_and_wait(lyon1, lyon1.find_element(By.XPATH, f"//main//a[normalize-space()={xpath_text(t(lang, 'fund.statement.print'))}]"))
    assert_fine(lyon1, fund["path"] + "/statement")
    no_script(lyon1)
    assert heading(lyon1) == fund["name"]
    row = allocation_row(lyon1, world.partner)
    assert euros(world.committed, lang) in row, row
    spending = spaces(text_of(lyon1, "#spending"))
    assert words["category_label"] in spending and words["country"] in spending, spending
    totals = spaces(text_of(lyon1, "#totals"))
    assert euros(BUDGET, lang) in totals and euros(world.committed, lang) in totals, totals
    photograph(world, lyon1, f"fund-statement-{lang}")

    assert urlsplit(csv_href).path == fund["path"] + "/statement.csv", csv_href
    status, headers, body = fetch(world, urlsplit(csv_href).path, lyon1)
    assert status == 200, (status, body[:200])
    assert headers["content-type"].startswith("text/csv"), headers
    assert headers.get("content-disposition", "").startswith("attachment") and ".csv" in headers["content-disposition"], headers
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0][:3] == [fund["name"], "European Union", "EUR"], rows[0]
    assert rows[1] == ["level", "organisation", "state", "amount", "delegation_limit", "allocated_on", "committed", "disbursed", "available"], rows[1]
    by_name = {r[1]: r for r in rows[2:] if len(r) == 9}
    assert set(by_name) >= {world.tunis, world.partner, world.sibling}, rows
    assert by_name[world.tunis][:2] == ["0", world.tunis] and by_name[world.partner][0] == "1", rows
    assert by_name[world.partner][3:] == [decimal(PARTNER_AMOUNT), decimal(PARTNER_LIMIT), "0.00", decimal(world.committed),
                                           decimal(world.committed), decimal(PARTNER_AMOUNT - world.committed)], by_name[world.partner]
    assert by_name[world.tunis][3:6] == [decimal(TUNIS_AMOUNT), decimal(TUNIS_LIMIT), decimal(PARTNER_AMOUNT + SIBLING_AMOUNT)], by_name[world.tunis]
    assert ["category", "committed", "disbursed"] in rows and ["country", "committed", "disbursed"] in rows, rows
    assert [words["country"], decimal(world.committed), decimal(world.committed)] in rows, rows
    # The sibling's export holds its own allocation only.
    status, _, body = fetch(world, f"{fund['path']}/statement.csv", sibling)
    assert status == 200
    assert world.sibling in body.decode("utf-8") and world.partner not in body.decode("utf-8")
