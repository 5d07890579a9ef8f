"""Protection cases (issue #6) in a real browser with JavaScript disabled, in French and in English.

The whole way from an alert to a closed case, once per language:
a defender raises an alert on the public form → the host's protection officer triages it, assigns
it and asks the partner verifier in Cameroon → the verifier grades it A1 → the rule proposes
"verified" and the officer decides so → from the alert page, "Open a protection case" → the form is
prefilled from the alert (country, region, defender, summary) → the case page shows its code
(CMR-2026-0001) → a relative at risk is added → a risk assessment (one threat 4 × 5, a vulnerability
of weight 3, a capacity of weight 2: computed "critical", judged "critical") → the page shows both
levels and the SVG chart → a measure of the security plan → a support request with an amount →
a follow-up scheduled (its date typed into the date field) and recorded as done → the case closed
with an outcome and the impact answers → the closed status, the impact record and the timeline;
the case is listed under "closed" and found by its code. A partner officer of an organisation the
case is not granted to gets 404 on it and does not find it.

The module runs on an `egide serve` of its own (conftest's `fresh_server`) and builds its host,
partners and accounts as test_alerts.py does (its `World`), every browser with JavaScript off.
The officer and the verifier switch language with the header's language link (/language/fr), so
both parameters run on the same accounts whatever their order. Screenshots at 1280 px and 360 px
land in the screenshots folder; every page photographed must fit a 360 px phone.
"""
import datetime
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from conftest import assert_within_budget
from selenium.webdriver.support.ui import Select

from pages import (choose, click_and_wait, fill, heading, open_details, path, press, problems, submit, tick,
                   type_date, xpath_text)
from test_alerts import PUBLIC, RECEIPT, RUN, World, fill_public_form, last_status, shots, status_of, text_of

CASE_CODE = re.compile(r"^[A-Z]{3}-\d{4}-\d{4}$")
CASE_PATH = re.compile(r"^/cases/[0-9a-f-]{36}$")

# What the pages say, in each language: a few labels checked as they are written in the catalogues.
WORDS = {
    "fr": dict(
        alerts="Alertes", received="Reçue", verified="Vérifiée", open_case="Ouvrir un dossier de protection",
        new_heading="Ouvrir un dossier de protection", kicker="Dossier de protection", status_open="Ouvert",
        status_closed="Clos", people="Personnes concernées", relative="Proche en danger",
        assess_heading="Évaluer le risque", critical="Critique", risk_badge="Risque : Critique", planned="Prévue",
        requested="Demandé", amount="25 000", currency="XAF", amount_shown="25 000 XAF",
        scheduled="Prévu", done="Fait", outcome="Risque réduit", at_closure="À la clôture", safe="En sécurité ? oui",
        case_opened_link="Ouverte en dossier", list_heading="Dossiers de protection",
        flash_triaged="Urgence fixée.", flash_support="Soutien ajouté.",
        timeline=["Dossier ouvert", "Personne ajoutée", "Risque évalué", "Mesure ajoutée au plan", "Soutien demandé",
                  "Suivi prévu", "Suivi fait", "Dossier clos"],
    ),
    "en": dict(
        alerts="Alerts", received="Received", verified="Verified", open_case="Open a protection case",
        new_heading="Open a protection case", kicker="Protection case", status_open="Open",
        status_closed="Closed", people="People concerned", relative="Relative at risk",
        assess_heading="Assess the risk", critical="Critical", risk_badge="Risk: Critical", planned="Planned",
        requested="Requested", amount="1250.50", currency="EUR", amount_shown="EUR 1,250.50",
        scheduled="Scheduled", done="Done", outcome="Risk reduced", at_closure="At closure", safe="Safe? yes",
        case_opened_link="Opened as a case", list_heading="Protection cases",
        flash_triaged="Urgency set.", flash_support="Support added.",
        timeline=["Case opened", "Person added", "Risk assessed", "Measure added to the plan", "Support requested",
                  "Follow-up scheduled", "Follow-up done", "Case closed"],
    ),
}


def spaces(text):
    """`text` with every kind of space (no-break, narrow no-break, thin) as a plain one."""
    return re.sub(r"[\u00a0\u202f\u2009]", " ", text)


class CaseWorld(World):
    """test_alerts.py's people, every browser without JavaScript, plus a protection officer of the
    Senegal partner, to whom no case is granted."""

    def __init__(self, server):
        super().__init__(server)
        self.outsider_name = f"Ousmane Outsider {RUN}"
        self.outsider = None

    def driver(self, **options):
        options.setdefault("javascript", False)
        driver = super().driver(**options)
        # The browser really runs no page script.
        driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
        assert driver.title == "off"
        return driver

    def build(self):
        super().build()
        self.outsider = self.join(self.invite(self.senegal, f"officer-{RUN}@dakar.example", "protection_officer"),
                                  self.outsider_name)


@pytest.fixture(scope="module")
def world(fresh_server):
    state = CaseWorld(fresh_server)
    try:
        state.build()
        yield state
    finally:
        for driver in state.drivers:
            driver.quit()


# --- steps ------------------------------------------------------------------------------------

def speak(driver, world, lang):
    """The header's language switch, which lasts for the browser session."""
    driver.get(world.url(f"/language/{lang}?next=/"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang


def read_in_arabic(officer, world, case_path):
    """The same case file and list in Arabic: right to left, fitting a phone (`shots`), the risk
    chart's time axis running right to left, then back to English."""
    speak(officer, world, "ar")
    officer.get(world.url(case_path))
    assert officer.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    assert re.search("[\u0600-\u06FF]", text_of(officer, "main nav, main h2")), "the case file is not in Arabic"
    assert not re.search("[\u0660-\u0669]", text_of(officer, "main")), "Arabic-Indic digits on the page"
    points = officer.find_elements(By.CSS_SELECTOR, "#risk-chart .judged-point")
    if len(points) > 1:  # the earliest assessment is drawn rightmost
        xs = [float(p.get_attribute("x")) for p in points]
        assert xs == sorted(xs, reverse=True), xs
    shots(officer, "case-file-ar")
    officer.get(world.url("/cases"))
    assert_fine(officer, "/cases")
    shots(officer, "cases-list-ar")
    speak(officer, world, "en")
    officer.get(world.url(case_path))


def no_script(driver):
    assert driver.find_elements(By.TAG_NAME, "script") == [], f"{path(driver)} has a <script> element"


def assert_fine(driver, expected_path=None):
    """The page loaded (2xx), without a problem box, and is where it should be."""
    assert not problems(driver), f"{path(driver)}: {problems(driver)}"
    status = last_status(driver)
    assert status is not None and 200 <= status < 300, f"{driver.current_url} answered {status}: {heading(driver)}"
    if expected_path:
        assert path(driver) == expected_path, f"expected {expected_path}, got {path(driver)}: {heading(driver)}"


def raise_public_alert(world, lang, defender, narrative):
    words = PUBLIC[lang]
    sender = world.driver(language=words["language"])
    sender.get(world.url(words["form"]))
    fill_public_form(sender, defender, narrative)
    press(sender, words["submit"])
    assert heading(sender) == words["receipt_heading"], problems(sender)
    assert RECEIPT.match(text_of(sender, "#receipt"))
    sender.quit()
    world.drivers.remove(sender)


def open_alert(officer, world, words, defender):
    officer.get(world.url("/alerts"))
    assert heading(officer) == words["alerts"]
    row = officer.find_element(By.XPATH, f"//table[contains(@class,'queue')]//tr[td[normalize-space()={xpath_text(defender)}]]")
    click_and_wait(officer, row.find_element(By.TAG_NAME, "a"))
    assert heading(officer) == defender
    return path(officer)


def ask_verifier(officer, verifier_name):
    boxes = officer.find_elements(By.CSS_SELECTOR, "#ask-verifiers input[name='verifiers[]']")
    chosen = [b.get_attribute("value") for b in boxes if b.find_element(By.XPATH, "..").text.startswith(verifier_name)]
    assert len(chosen) == 1, [b.find_element(By.XPATH, "..").text for b in boxes]
    tick(officer, "verifiers[]", chosen[0])
    fill(officer, "message", "Can you confirm the threats with her colleagues?")
    submit(officer, "#ask-verifiers")
    assert not problems(officer), problems(officer)


def verify_a1(verifier, world):
    verifier.get(world.url("/verification"))
    pending = verifier.find_elements(By.CSS_SELECTOR, "#pending li a")
    assert len(pending) == 1, [li.text for li in verifier.find_elements(By.CSS_SELECTOR, "#pending li")]
    click_and_wait(verifier, pending[0])
    assert re.fullmatch(r"/verification/[0-9a-f-]{36}", path(verifier)), path(verifier)
    no_script(verifier)
    choose(verifier, "reliability", "A")
    choose(verifier, "credibility", "1")
    fill(verifier, "notes", "Confirmed in person by two colleagues and her lawyer; we saw the written threats.")
    submit(verifier, "#finding")
    assert path(verifier) == "/verification", problems(verifier)
    assert verifier.find_elements(By.CSS_SELECTOR, "#pending li") == []


def case_section(driver, section):
    return spaces(driver.find_element(By.ID, section).text)


def after_action(driver, case_path):
    """Back on the case page after a form: no problem, no script, the case's own address."""
    assert_fine(driver, case_path)
    no_script(driver)


# --- the test ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_verified_alert_becomes_a_case_that_is_assessed_followed_up_and_closed(world, lang):
    words = WORDS[lang]
    officer, verifier = world.officer, world.verifier
    speak(officer, world, lang)
    speak(verifier, world, lang)

    # 1. The alert, on the public form in the defender's language.
    defender = f"Célestine Ngo {lang.upper()} {RUN}"
    narrative = f"Threatened by phone and followed home after her radio programme in Douala ({lang} {RUN})."
    raise_public_alert(world, lang, defender, narrative)

    # 2. Triage, assignment and a verification request.
    alert_path = open_alert(officer, world, words, defender)
    assert text_of(officer, "#alert-status") == words["received"]
    assert not officer.find_elements(By.ID, "case-actions"), "a case can be opened only from a verified alert"
    choose(officer, "urgency", "p1")
    submit(officer, "#triage")
    assert_fine(officer, alert_path)
    # Each action says what it did, once, on the page it returns to.
    assert text_of(officer, "p.flash[role='status']") == words["flash_triaged"]
    officer.get(world.url(alert_path))
    assert not officer.find_elements(By.CSS_SELECTOR, "p.flash"), "a confirmation shows once"
    # A select that changes a record shows what is saved.
    assert Select(officer.find_element(By.ID, "urgency")).first_selected_option.get_attribute("value") == "p1"
    Select(officer.find_element(By.ID, "assignee")).select_by_visible_text(world.officer_name)
    submit(officer, "#assign")
    assert_fine(officer, alert_path)
    ask_verifier(officer, world.verifier_name)

    # 3. The partner verifier's finding: A1, enough for the rule on its own.
    verify_a1(verifier, world)

    # 4. The officer decides "verified".
    officer.get(world.url(alert_path))
    proposal = officer.find_element(By.ID, "proposal")
    assert "notice-ok" in proposal.get_attribute("class").split(), proposal.text
    assert "A1" in proposal.text, proposal.text
    choose(officer, "decision", "verified")
    fill(officer, "grounds", "A completely reliable partner confirmed the threats in person.")
    submit(officer, "#decide")
    assert_fine(officer, alert_path)
    assert text_of(officer, "#alert-status") == words["verified"]
    no_script(officer)

    # 5. "Open a protection case": the form comes prefilled from the alert.
    actions = officer.find_element(By.ID, "case-actions")
    assert actions.find_elements(By.ID, "attach-case")
    link = officer.find_element(By.ID, "open-case")
    assert link.text == words["open_case"]
    click_and_wait(officer, link)
    assert_fine(officer, "/cases/new")
    assert heading(officer) == words["new_heading"]
    no_script(officer)
    assert Select(officer.find_element(By.ID, "country")).first_selected_option.get_attribute("value") == "CM"
    assert officer.find_element(By.ID, "summary").get_attribute("value") == narrative
    assert officer.find_element(By.ID, "defenderName").get_attribute("value") == defender
    assert officer.find_element(By.ID, "region").get_attribute("value") == "Littoral"
    alert_id = alert_path.rsplit("/", 1)[1]
    assert officer.find_element(By.CSS_SELECTOR, "input[type='hidden'][name='alert']").get_attribute("value") == alert_id
    shots(officer, f"case-new-{lang}")
    choose(officer, "fieldOfWork", Select(officer.find_element(By.ID, "fieldOfWork")).options[1].get_attribute("value"))
    submit(officer, "form[action='/cases']")

    # 6. The case page: its code, open, in the page's language.
    case_path = path(officer)
    assert CASE_PATH.match(case_path), f"{case_path}: {heading(officer)} {problems(officer)}"
    after_action(officer, case_path)
    code = text_of(officer, "h1.code")
    assert CASE_CODE.match(code), code
    assert code.startswith("CMR-"), code
    # The kicker is shown in capitals by the style sheet: compare the text as written.
    assert officer.find_element(By.CSS_SELECTOR, ".status-code.reference").get_attribute("textContent").strip() == words["kicker"]
    assert text_of(officer, "#case-status") == words["status_open"]
    # The status select preselects the current status: pressing the button as it is changes nothing.
    assert Select(officer.find_element(By.ID, "status")).first_selected_option.get_attribute("value") == "open"
    assert officer.find_element(By.CSS_SELECTOR, "#people h2").text == words["people"]
    assert officer.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert narrative in text_of(officer, "#summary")

    # 7. The defender's relative at risk.
    relative = f"Paul Ngo {lang.upper()} {RUN}"
    open_details(officer, "#add-person")
    choose(officer, "role", "relative")
    fill(officer, "name", relative)
    fill(officer, "contacts", "+237 6 99 00 00 00")
    submit(officer, "#add-person")
    after_action(officer, case_path)
    people = case_section(officer, "people")
    assert f"{relative} — {words['relative']}" in people, people

    # 8. A risk assessment: threat 4 × 5, a vulnerability of weight 3, a capacity of weight 2.
    click_and_wait(officer, officer.find_element(By.ID, "new-assessment"))
    assert_fine(officer, f"{case_path}/assessments/new")
    assert heading(officer) == words["assess_heading"]
    no_script(officer)
    fill(officer, "threat_description_0", "Death threats by phone from an unknown number")
    choose(officer, "threat_actor_0", Select(officer.find_element(By.ID, "threat_actor_0")).options[0].get_attribute("value"))
    choose(officer, "threat_space_0", "both")
    choose(officer, "threat_likelihood_0", "4")
    choose(officer, "threat_impact_0", "5")
    fill(officer, "vulnerability_description_0", "Lives alone at an address known to the callers")
    choose(officer, "vulnerability_weight_0", "3")
    fill(officer, "capacity_description_0", "A lawyer on call")
    choose(officer, "capacity_weight_0", "2")
    choose(officer, "judgedLevel", "critical")
    fill(officer, "justification", "The threats name her children and her daily route.")
    shots(officer, f"case-assessment-{lang}")
    submit(officer, "form.assessment-form")
    after_action(officer, case_path)
    # T 20 × V 1.20 ÷ C 1.13 = 21.2: critical (docs/RISK-SCORING.md).
    assert text_of(officer, "#computed-level") == words["critical"]
    assert text_of(officer, "#judged-level") == words["critical"]
    assert spaces(text_of(officer, "#case-risk")) == words["risk_badge"]
    # In the reader's decimals: 21,2 in French.
    assert ("21,2" if lang == "fr" else "21.2") in case_section(officer, "risk"), case_section(officer, "risk")
    chart = officer.find_element(By.ID, "risk-chart")
    assert chart.tag_name == "svg"
    assert chart.find_elements(By.CSS_SELECTOR, "circle.computed-point") and chart.find_elements(By.CSS_SELECTOR, "rect.judged-point")
    assert words["critical"] in chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")

    # 9. A measure of the security plan.
    measure = f"Accompany her to the radio station for two weeks ({lang} {RUN})"
    open_details(officer, "#add-measure")
    fill(officer, "description", measure)
    choose(officer, "stage", "protection")
    choose(officer, "domain", "physical")
    choose(officer, "owner", "staff")
    Select(officer.find_element(By.ID, "assignee")).select_by_visible_text(world.officer_name)
    submit(officer, "#add-measure")
    after_action(officer, case_path)
    item = officer.find_element(By.XPATH, f"//section[@id='plan']//li[.//strong[normalize-space()={xpath_text(measure)}]]")
    assert words["planned"] in item.text, item.text

    # 10. A support request with its cost.
    open_details(officer, "#add-support")
    choose(officer, "supportType", "legal")
    fill(officer, "supportDescription", f"A lawyer to file a complaint ({lang} {RUN})")
    choose(officer, "provider", "in_house")
    fill(officer, "amount", words["amount"])
    choose(officer, "currency", words["currency"])
    submit(officer, "#add-support")
    after_action(officer, case_path)
    support = case_section(officer, "support")
    assert words["amount_shown"] in support, support
    assert words["requested"] in support, support
    assert text_of(officer, "p.flash[role='status']") == words["flash_support"]
    states = officer.find_elements(By.CSS_SELECTOR, "#support select[name='state']")
    assert states and all(Select(s).first_selected_option.get_attribute("value") == "requested" for s in states)

    # 11. A follow-up, its date typed into the date field, then recorded as done.
    due = (datetime.date.today() + datetime.timedelta(days=16)).isoformat()
    purpose = f"Call her after the hearing ({lang} {RUN})"
    open_details(officer, "#schedule-follow-up")
    type_date(officer, "followUpDue", due)
    fill(officer, "purpose", purpose)
    submit(officer, "#schedule-follow-up")
    after_action(officer, case_path)
    follow_up = f"//section[@id='follow-ups']//li[.//strong[normalize-space()={xpath_text(purpose)}]]"
    item = officer.find_element(By.XPATH, follow_up)
    assert words["scheduled"] in item.text, item.text
    form = item.find_element(By.CSS_SELECTOR, "details form")
    open_details(officer, form)
    Select(form.find_element(By.NAME, "state")).select_by_value("done")
    note = f"She is safe; the hearing was postponed ({lang} {RUN})."
    form.find_element(By.NAME, "notes").send_keys(note)
    click_and_wait(officer, form.find_element(By.CSS_SELECTOR, "button[type='submit']"))
    after_action(officer, case_path)
    item = officer.find_element(By.XPATH, follow_up)
    assert words["done"] in item.text and note in item.text, item.text
    assert not item.find_elements(By.CSS_SELECTOR, "details form"), "a follow-up done is not recorded twice"
    shots(officer, f"case-file-{lang}")
    if lang == "en":
        read_in_arabic(officer, world, case_path)
    # The officer's daily pages, with real data in them, stay within the budget compressed.
    assert_within_budget(world.server.base_url, ["/attention", "/alerts", "/cases", case_path], officer.get_cookies())

    # 12. Closure, with the outcome and the impact answers.
    open_details(officer, "#close-case")
    choose(officer, "outcome", "risk_reduced")
    fill(officer, "situation", f"She moved in with relatives and works from home ({lang} {RUN}).")
    choose(officer, "impact_safe", "yes")
    choose(officer, "impact_still_active", "yes")
    choose(officer, "impact_trained", "partly")
    fill(officer, "impactNotes", "Trained in digital security during the case.")
    submit(officer, "#close-case")
    after_action(officer, case_path)
    assert text_of(officer, "#case-status") == words["status_closed"]
    assert words["outcome"] in text_of(officer, "dl.facts")
    closure = case_section(officer, "closure")
    assert words["at_closure"] in closure and words["safe"] in closure, closure
    assert "Trained in digital security during the case." in closure
    assert not officer.find_elements(By.ID, "close-case")
    assert officer.find_elements(By.ID, "reopen")
    timeline = case_section(officer, "timeline")
    positions = [timeline.find(step) for step in words["timeline"]]
    assert all(p >= 0 for p in positions), (words["timeline"], timeline)
    assert positions == sorted(positions, reverse=True), f"the timeline is not newest first: {timeline}"
    shots(officer, f"case-closed-{lang}")

    # 13. The alert now leads to its case.
    officer.get(world.url(alert_path))
    assert not officer.find_elements(By.ID, "case-actions")
    link = officer.find_element(By.ID, "alert-case")
    assert link.text == words["case_opened_link"]
    assert urlsplit(link.get_attribute("href")).path == case_path

    # 14. The list of closed cases has it, and a search by its code finds it.
    officer.get(world.url("/cases?status=closed"))
    assert_fine(officer, "/cases")
    assert heading(officer) == words["list_heading"]
    no_script(officer)
    codes = [a.text for a in officer.find_elements(By.CSS_SELECTOR, "table.queue a.code")]
    assert code in codes, codes
    officer.get(world.url("/cases"))
    assert code not in [a.text for a in officer.find_elements(By.CSS_SELECTOR, "table.queue a.code")], \
        "a closed case is not among the cases not closed"
    fill(officer, "q", code)
    choose(officer, "status", "all")
    submit(officer, "form.filters")
    assert_fine(officer, "/cases")
    assert [a.text for a in officer.find_elements(By.CSS_SELECTOR, "table.queue a.code")] == [code]
    assert text_of(officer, "#total").startswith("1 "), text_of(officer, "#total")
    click_and_wait(officer, officer.find_element(By.CSS_SELECTOR, "table.queue a.code"))
    assert path(officer) == case_path

    # 15. A partner officer the case is not granted to: 404, and no trace in their list.
    outsider = world.outsider
    assert status_of(outsider, world.url(case_path)) == 404
    assert code not in outsider.page_source and narrative not in outsider.page_source
    assert status_of(outsider, world.url(f"{case_path}/assessments/new")) == 404
    outsider.get(world.url(f"/cases?status=all&q={code}"))
    assert last_status(outsider) == 200
    assert outsider.find_elements(By.CSS_SELECTOR, "table.queue a.code") == []
    assert code not in outsider.find_element(By.TAG_NAME, "main").text
    # Nor does the verifier, who handles no case, see it.
    assert status_of(verifier, world.url(case_path)) in (403, 404)
    assert narrative not in verifier.page_source

