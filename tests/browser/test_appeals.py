"""Urgent appeals and publishing (docs/APPEALS.md) in a real browser with JavaScript disabled, in
French and in English.

The world, built once on an `egide serve` of the module's own (conftest's `fresh_server`), as
test_alerts.py builds its own: the host organisation with a protection officer and two
communications officers, A and B, every browser without JavaScript. Then, once per language, each
language with its own case and documents, the whole way of an urgent appeal, as people do it:

1. The protection officer opens a case about Cameroon at /cases/new, naming the defender.
2. From the case file's "Appeals and publications" panel, "Draft an appeal": the form knows the
   case, keeps the urgent-appeal template in the page's language (the GET form that swaps the
   template works without JavaScript); saved without a title, the form comes back (422) with its
   problem box and the text kept; with a title, the draft is saved, then "Submit for review".
3. Communications officer A, told under "Needs my attention", opens it (so does B, who leaves the
   page open on revision 1), comments, and makes a suggested edit through "Edit the text" (in a second tab, leaving the first one open): the page
   shows the word diff (`#diff` with <ins>/<del>) and that someone else approves
   (`#approve-blocked`); the approve button A still had on the first tab is refused by the server
   (409, the same reason) and the version stays in review.
4. Communications officer B's approve button, on the page read before A's edit, is refused (409:
   the text changed since). B opens it again from /appeals and approves: the document takes its
   reference (`CMR 001 / MMYY / OBS 001`: the case's country, this month), then "Publish" is
   blocked: the defender has not consented (`#publish-blocked`). B, who may not see the case,
   sees neither the defender's name nor the case's code.
5. The protection officer records the defender's consent to the public page and feed (`#record-consent`,
   a <details> opened by its summary).
6. B publishes. Signed out (a fresh browser without cookies): the public page (/fr/appels/<slug>,
   /en/appeals/<slug>) shows the title and the published text (A's edit), never the case code, the
   case's summary or region, the reviewer's comment nor the consent note; no <script>, no request
   outside the server's origin; the public list links to it; the Atom feed (fetched with urllib)
   has its entry.
7. B writes a follow-up ("Write a follow-up") of kind "Release", and submits it; A (who wrote none
   of it) approves: its reference is the original's with ".1"; the officer records the consent for
   it; A publishes: its public page links to the original, whose page lists the follow-up, and
   the feed has both.

Also: communications officers land on /appeals after signing up; the diff of two revisions wraps
(a page with it fits a phone: without `pre.diff { white-space: pre-wrap }` it was ~3 400 px wide).

Every page visited is photographed at 1280 px and 360 px and must fit a 360 px phone (test_fund's
`photograph`, which names what sticks out); every label checked comes from the catalogues
(Resources/Locales/{fr,en}/appeals.json), and no page shows a raw catalogue key.
"""
import datetime
import json
import pathlib
import re
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from pages import (choose, click_and_wait, current_step, fill, follow, heading, open_details, path, press, problems, submit,
                   xpath_text)
from test_alerts import PASSWORD, RUN, World, foreign_requests, last_status, text_of
from test_cases import assert_fine, no_script, spaces, speak
from test_fund import photograph

REPO = pathlib.Path(__file__).resolve().parents[2]
LOCALES = REPO / "Resources" / "Locales"
CATALOGUE = {lang: json.loads((LOCALES / lang / "appeals.json").read_text(encoding="utf-8")) for lang in ("fr", "en")}
TEMPLATES = REPO / "Resources" / "Appeals"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
APPEAL_PATH = re.compile(f"^/appeals/{UUID}$")
CASE_PATH = re.compile(f"^/cases/{UUID}$")
CASE_CODE = re.compile(r"^CMR-\d{4}-\d{4}$")
ATOM = "{http://www.w3.org/2005/Atom}"
# A catalogue key shown instead of its text (a label missing from a catalogue).
RAW_KEY = re.compile(r"\b(appeal|attention|flash)\.[a-z][A-Za-z_.]*[a-z]\b")


def t(lang, key, *args):
    """The catalogue's text for `key` in `lang`, with its {0}, {1}… filled."""
    text = CATALOGUE[lang][key]
    for index, value in enumerate(args):
        text = text.replace("{%d}" % index, value)
    return text


# What each language types, and where its public pages are.
WORDS = {
    "fr": dict(
        public="/fr/appels", feed="/fr/appels.atom", browser="fr-FR", language_name="Français",
        city="Douala", region=f"Littoral-canari-{RUN}",
        facts="Il a été arrêté le 3 mars à son domicile de Douala par la gendarmerie, sans mandat.",
        edited="Il a été arrêté le 3 mars à son domicile de Douala par des policiers en civil, sans mandat.",
        title="Cameroun : détention arbitraire de {0}",
        follow_title="Cameroun : libération de {0}",
        follow_body="## Libération\n\nL'Observatoire se félicite de la libération de {0}, le 20 mars, après dix-sept jours de détention.\n",
        comment="Précisons qui l’a arrêté : sa famille parle de policiers en civil.",
        consent_note="Accord donné par téléphone à l’agent de protection.",
    ),
    "en": dict(
        public="/en/appeals", feed="/en/appeals.atom", browser="en", language_name="English",
        city="Douala", region=f"Littoral-canary-{RUN}",
        facts="He was arrested on 3 March at his home in Douala by the gendarmerie, without a warrant.",
        edited="He was arrested on 3 March at his home in Douala by plain-clothes police officers, without a warrant.",
        title="Cameroon: arbitrary detention of {0}",
        follow_title="Cameroon: release of {0}",
        follow_body="## Release\n\nThe Observatory welcomes the release of {0} on 20 March, after seventeen days in detention.\n",
        comment="Let us say who arrested him: his family speaks of plain-clothes police officers.",
        consent_note="Agreed on the phone with the protection officer.",
    ),
}
# What the suggested edit takes out and puts in (a word of each, as the diff shows them).
REMOVED = {"fr": "gendarmerie", "en": "gendarmerie"}
ADDED = {"fr": "policiers", "en": "plain-clothes"}


def slug(reference):
    """ReferencePattern.slug: lower-case letters and digits joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", reference.lower()))[:80]


def template(kind, lang):
    return (TEMPLATES / f"{kind}.{lang}.md").read_text(encoding="utf-8")


def same_text(a, b):
    """Two texts equal but for line endings and the newlines around them (a <textarea> drops a
    leading newline, a browser sends CRLF)."""
    return a.replace("\r\n", "\n").strip("\n") == b.replace("\r\n", "\n").strip("\n")


# --- the people -------------------------------------------------------------------------------

def enrol(driver):
    """test_alerts.enrol, for people who may land on /appeals (a communications officer's work page)."""
    assert path(driver) == "/account/two-factor", f"expected the enrolment page, got {path(driver)}: {heading(driver)} {problems(driver)}"
    secret = driver.find_element(By.ID, "totp-secret").text.replace(" ", "")
    if time.time() % 30 > 28.5:  # never type a code in its last second
        time.sleep(2)
    fill(driver, "code", pyotp.TOTP(secret).at(current_step() * 30))
    press(driver, "Confirm")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#recovery-codes code")) == 10, problems(driver)
    follow(driver, "I have kept my codes — continue")
    assert path(driver) in ("/attention", "/appeals", "/admin/organisations", "/account"), (path(driver), problems(driver))
    return path(driver)


class AppealWorld(World):
    """The host organisation, its protection officer and two communications officers (A and B);
    every browser without JavaScript."""

    def __init__(self, server):
        super().__init__(server)
        self.host = f"Observatory Desk {RUN}"
        self.names = {"officer": f"Odile Protection {RUN}", "a": f"Amina Comms {RUN}", "b": f"Bruno Comms {RUN}"}
        self.people = {}
        self.landed = {}
        self.originals = []  # the references issued to originals, in order

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
        assert heading(admin) == "Set up this Egide"
        fill(admin, "organisationName", self.host)
        fill(admin, "slug", f"observatory-{RUN}")
        choose(admin, "country", "FR")
        fill(admin, "name", f"Ada Administrator {RUN}")
        fill(admin, "email", f"admin-{RUN}@observatory.example")
        fill(admin, "password", PASSWORD)
        fill(admin, "passwordConfirmation", PASSWORD)
        press(admin, "Create the organisation and my account")
        enrol(admin)
        for key, role in (("officer", "protection_officer"), ("a", "communications_officer"), ("b", "communications_officer")):
            self.people[key] = self.join(self.invite(self.host, f"{key}-{RUN}@observatory.example", role), self.names[key])
            self.landed[key] = path(self.people[key])

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

    def stranger(self, lang):
        """A fresh browser: no cookie, nobody signed in."""
        driver = self.driver(language=WORDS[lang]["browser"])
        assert driver.get_cookies() == []
        return driver

    def forget(self, driver):
        driver.quit()
        self.drivers.remove(driver)


@pytest.fixture(scope="module")
def world(fresh_server):
    state = AppealWorld(fresh_server)
    try:
        state.build()
        yield state
    finally:
        for driver in state.drivers:
            driver.quit()


def test_communications_officers_land_on_the_appeals(world):
    """A communications officer's work page is the appeals list; a protection officer's, their attention list."""
    assert world.landed == {"officer": "/attention", "a": "/appeals", "b": "/appeals"}, world.landed


# --- steps ------------------------------------------------------------------------------------

def flash(driver):
    found = driver.find_elements(By.CSS_SELECTOR, "p.flash[role='status']")
    return found[0].text if found else None


def main_text(driver):
    return spaces(driver.find_element(By.TAG_NAME, "main").text)


def page_fine(driver, expected_path=None):
    """Loaded (2xx), no problem box, no script, no catalogue key shown instead of its text."""
    assert_fine(driver, expected_path)
    no_script(driver)
    raw = [m.group(0) for m in RAW_KEY.finditer(driver.find_element(By.TAG_NAME, "body").text)]
    assert not raw, f"{path(driver)} shows catalogue keys: {raw}"


def on_document(driver, appeal_path, lang):
    """On the document's page, in `lang` (`?language=` is the version shown)."""
    page_fine(driver, appeal_path)
    assert driver.find_element(By.ID, "appeal-text").get_attribute("lang") == lang


def state(driver):
    return text_of(driver, "#appeal-state")


def reference_shown(driver):
    """The document's reference at the top of its page ("Not issued yet" before its approval), as
    written (the style sheet shows that line in capitals)."""
    return driver.find_element(By.ID, "appeal-reference").get_attribute("textContent").strip()


def buttons(driver):
    """The step buttons the document page offers (in its side column)."""
    return [b.text for b in driver.find_elements(By.CSS_SELECTOR, "aside.side-actions form > button")]


def refused(driver, status, message):
    """The same page came back with `status` and `message` in its problem box."""
    assert last_status(driver) == status, f"{driver.current_url} answered {last_status(driver)}, expected {status}: {problems(driver)}"
    assert any(message in box for box in problems(driver)), (message, problems(driver))


def consent_cell(driver, defender, channel_label):
    """The consent in force of `defender` (as the page names them) for the channel."""
    row = driver.find_element(By.XPATH, f"//section[@id='consents']//tbody/tr[.//bdi[normalize-space()={xpath_text(defender)}]]")
    return row.find_element(By.XPATH, f"./td[@data-label={xpath_text(channel_label)}]").text


def record_consent(officer, world, appeal_path, lang, defender, note):
    """The protection officer records the defender's consent to the public page and feed."""
    officer.get(world.url(appeal_path + f"?language={lang}"))
    on_document(officer, appeal_path, lang)
    channel = t(lang, "appeal.channel.public_page")
    assert consent_cell(officer, defender, channel) == t(lang, "appeal.consent.none")
    assert officer.find_element(By.CSS_SELECTOR, "#record-consent summary").text == t(lang, "appeal.consent.record")
    open_details(officer, "#record-consent")
    Select(officer.find_element(By.ID, "person")).select_by_visible_text(defender)
    choose(officer, "channel", "public_page")
    assert officer.find_element(By.CSS_SELECTOR, "#answer input[value='granted']").is_selected()
    fill(officer, "consent-note", note)
    submit(officer, "#record-consent form")
    on_document(officer, appeal_path, lang)
    assert flash(officer) == t(lang, "flash.appeal.consentRecorded")
    assert consent_cell(officer, defender, channel).startswith(t(lang, "appeal.consent.granted")), consent_cell(officer, defender, channel)
    assert consent_cell(officer, defender, t(lang, "appeal.channel.mailing")) == t(lang, "appeal.consent.none")
    assert t(lang, "appeal.event.consent.public_page") in text_of(officer, "#history")
    # Recording a consent is not publishing: that is for communications staff.
    assert t(lang, "appeal.step.publish") not in buttons(officer)


def fetch(world, target):
    """GETs `target` signed out, outside the browser: (status, content type, text)."""
    with urllib.request.urlopen(world.url(target), timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")


def feed_entries(world, lang):
    status, content_type, body = fetch(world, WORDS[lang]["feed"])
    assert status == 200 and content_type.startswith("application/atom+xml"), (status, content_type)
    root = ElementTree.fromstring(body)
    assert root.tag == f"{ATOM}feed", root.tag
    entries = {}
    for entry in root.findall(f"{ATOM}entry"):
        links = [link.get("href") for link in entry.findall(f"{ATOM}link")]
        entries[entry.findtext(f"{ATOM}title")] = dict(links=links, content=entry.findtext(f"{ATOM}content") or "",
                                                       summary=entry.findtext(f"{ATOM}summary") or "", id=entry.findtext(f"{ATOM}id"))
    return body, entries


def public_page(world, lang, public_path, secrets, name):
    """Signed out, the public page of a published document: its title and text, nothing of the
    case file, no script, nothing from elsewhere. Returns its heading, text, reference and whole
    text, and the reader's browser (to go on reading; `world.forget` it after)."""
    reader = world.stranger(lang)
    try:
        reader.get(world.url(public_path))
        page_fine(reader, public_path)
        assert reader.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        source = reader.page_source
        for secret in secrets:
            assert secret not in source, f"{secret!r} is on the public page {public_path}"
        assert foreign_requests(reader, world.server.base_url) == [], foreign_requests(reader, world.server.base_url)
        photograph(world, reader, name)
        text = main_text(reader)
        return reader.find_element(By.TAG_NAME, "h1").text, text_of(reader, "#appeal-text"), text_of(reader, "#reference"), text, reader
    except BaseException:
        world.forget(reader)
        raise


# --- the test ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_urgent_appeal_is_drafted_from_a_case_reviewed_approved_published_and_followed_up(world, lang):
    words = WORDS[lang]
    officer, a, b = world.people["officer"], world.people["a"], world.people["b"]
    for driver in (officer, a, b):
        speak(driver, world, lang)
    defender = f"Jean-Marc Ebongue {lang.upper()} {RUN}"
    summary = f"Canary summary {lang} {RUN}: arrested at home after his report on land grabs; family address 12 rue des Manguiers."

    # 1. The protection officer opens a case about Cameroon, naming the defender.
    officer.get(world.url("/cases/new"))
    page_fine(officer, "/cases/new")
    choose(officer, "country", "CM")
    fill(officer, "region", words["region"])
    fill(officer, "defenderName", defender)
    choose(officer, "fieldOfWork", Select(officer.find_element(By.ID, "fieldOfWork")).options[1].get_attribute("value"))
    fill(officer, "summary", summary)
    submit(officer, "form[action='/cases']")
    case_path = path(officer)
    assert CASE_PATH.match(case_path), f"{case_path}: {heading(officer)} {problems(officer)}"
    page_fine(officer, case_path)
    case_code = text_of(officer, "h1.code")
    assert CASE_CODE.match(case_code), case_code

    # 2. "Draft an appeal" from the case file's panel.
    panel = officer.find_element(By.ID, "appeals")
    assert panel.find_element(By.TAG_NAME, "h2").text == t(lang, "appeal.case.heading")
    assert t(lang, "appeal.case.none") in panel.text
    draft_link = panel.find_element(By.XPATH, f".//a[normalize-space()={xpath_text(t(lang, 'appeal.case.draft'))}]")
    photograph(world, officer, f"appeal-case-panel-{lang}")
    click_and_wait(officer, draft_link)
    page_fine(officer, "/appeals/new")
    case_id = case_path.rsplit("/", 1)[1]
    assert f"case={case_id}" in officer.current_url, officer.current_url
    assert heading(officer) == t(lang, "appeal.new.heading")
    assert text_of(officer, "p.lead") == t(lang, "appeal.new.forCase", case_code)
    assert Select(officer.find_element(By.ID, "template-kind")).first_selected_option.get_attribute("value") == "urgent_appeal"
    assert Select(officer.find_element(By.ID, "template-language")).first_selected_option.get_attribute("value") == lang
    assert Select(officer.find_element(By.ID, "country")).first_selected_option.get_attribute("value") == "CM"
    body = officer.find_element(By.ID, "body").get_attribute("value")
    assert same_text(body, template("urgent_appeal", lang)), body[:200]
    if lang == "fr":
        # The template form is a GET form: another kind's template, then back, without JavaScript.
        choose(officer, "template-kind", "press_release")
        submit(officer, "#template")
        page_fine(officer, "/appeals/new")
        assert f"case={case_id}" in officer.current_url, officer.current_url
        assert same_text(officer.find_element(By.ID, "body").get_attribute("value"), template("press_release", lang))
        choose(officer, "template-kind", "urgent_appeal")
        submit(officer, "#template")
        page_fine(officer, "/appeals/new")
        assert same_text(officer.find_element(By.ID, "body").get_attribute("value"), template("urgent_appeal", lang))
        assert text_of(officer, "p.lead") == t(lang, "appeal.new.forCase", case_code)

    # The officer completes the template; saved without a title, the form comes back with its problem.
    placeholders = {"fr": {"[nom du défenseur ou de la défenseure]": defender, "[pays]": "Cameroun", "[ville]": words["city"]},
                    "en": {"[name of the defender]": defender, "[country]": "Cameroon", "[city]": words["city"]}}[lang]
    text = template("urgent_appeal", lang)
    for placeholder, value in placeholders.items():
        text = text.replace(placeholder, value)
    facts_line = next(line for line in text.split("\n") if line.startswith("[Faits" if lang == "fr" else "[Facts"))
    text = text.replace(facts_line, words["facts"])
    fill(officer, "body", text)
    officer.find_element(By.CSS_SELECTOR, "input[name='themes[]'][value='arbitrary_detention']").click()
    fill(officer, "title", "   ")
    press(officer, t(lang, "appeal.new.save"))
    assert path(officer) == "/appeals", path(officer)
    assert last_status(officer) == 422, last_status(officer)
    box = officer.find_element(By.CSS_SELECTOR, ".form-problems")
    assert box.get_attribute("role") == "alert"
    assert [a_.get_attribute("href").rsplit("#", 1)[-1] for a_ in box.find_elements(By.TAG_NAME, "a")] == ["title"], box.text
    assert heading(officer) == t(lang, "appeal.new.heading")
    assert same_text(officer.find_element(By.ID, "body").get_attribute("value"), text), "the text typed is kept"
    assert officer.find_element(By.CSS_SELECTOR, "input[name='themes[]'][value='arbitrary_detention']").is_selected()
    assert Select(officer.find_element(By.ID, "country")).first_selected_option.get_attribute("value") == "CM"
    assert text_of(officer, "p.lead") == t(lang, "appeal.new.forCase", case_code), "the draft still belongs to the case"
    no_script(officer)
    photograph(world, officer, f"appeal-new-problem-{lang}")
    title = words["title"].format(defender)
    fill(officer, "title", title)
    press(officer, t(lang, "appeal.new.save"))
    appeal_path = path(officer)
    assert APPEAL_PATH.match(appeal_path), f"{appeal_path}: {problems(officer)}"
    on_document(officer, appeal_path, lang)
    assert flash(officer) == t(lang, "flash.appeal.created")
    assert reference_shown(officer) == t(lang, "appeal.notIssued")
    assert text_of(officer, "#appeal-title") == title
    assert state(officer) == t(lang, "appeal.state.draft")
    assert words["facts"] in text_of(officer, "#appeal-text")
    about = text_of(officer, "aside.side-actions section.card")
    assert case_code in about and t(lang, "appeal.kind.urgent_appeal") in about, about
    assert defender in text_of(officer, "#consents"), "the case's defender is named for consent"
    photograph(world, officer, f"appeal-draft-{lang}")
    press(officer, t(lang, "appeal.step.submit"))
    on_document(officer, appeal_path, lang)
    assert flash(officer) == t(lang, "flash.appeal.submitted")
    assert state(officer) == t(lang, "appeal.state.in_review")
    # A protection officer writes and reviews, never approves nor publishes.
    assert t(lang, "appeal.step.approve") not in buttons(officer) and not officer.find_elements(By.ID, "approve-blocked")
    assert t(lang, "appeal.event.submit") + f" ({words['language_name']})" in text_of(officer, "#history")

    # 3. Communications officer A, told under "Needs my attention", comments and suggests an edit.
    a.get(world.url("/attention"))
    page_fine(a, "/attention")
    work = a.find_element(By.ID, "appeals")
    assert work.find_element(By.TAG_NAME, "h2").text == f"{t(lang, 'attention.appeals')} {work.find_element(By.CSS_SELECTOR, 'h2 .count').text}"
    item = work.find_element(By.XPATH, f".//li[.//span[@class='work-title'][normalize-space()={xpath_text(f'{title} ({lang.upper()})')}]]")
    assert t(lang, "attention.reason.appealToApprove") in item.text, item.text
    photograph(world, a, f"appeal-attention-{lang}")
    click_and_wait(a, item.find_element(By.TAG_NAME, "a"))
    on_document(a, appeal_path, lang)
    assert state(a) == t(lang, "appeal.state.in_review")
    assert t(lang, "appeal.step.approve") in buttons(a), buttons(a)
    assert t(lang, "appeal.review.noComment") in text_of(a, "#review")
    fill(a, "comment-body", words["comment"])
    submit(a, "#comment")
    on_document(a, appeal_path, lang)
    assert flash(a) == t(lang, "flash.appeal.commented")
    comments = text_of(a, "#comments")
    assert words["comment"] in comments and world.names["a"] in comments and t(lang, "appeal.review.revision", "1") in comments, comments
    assert not a.find_elements(By.ID, "diff"), "one revision: nothing to compare"
    # B opens it too, reads revision 1, and leaves the page open.
    b.get(world.url(appeal_path + f"?language={lang}"))
    on_document(b, appeal_path, lang)
    assert words["facts"] in text_of(b, "#appeal-text") and t(lang, "appeal.step.approve") in buttons(b)
    # A keeps this tab open (with its approve button) and suggests an edit in another one.
    first_tab = a.current_window_handle
    a.switch_to.new_window("tab")
    a.get(world.url(appeal_path + f"?language={lang}"))
    click_and_wait(a, a.find_element(By.ID, "edit-text"))
    page_fine(a, appeal_path + "/edit")
    assert heading(a) == t(lang, "appeal.edit.heading", words["language_name"])
    assert a.find_element(By.ID, "title").get_attribute("value") == title
    current = a.find_element(By.ID, "body").get_attribute("value").replace("\r\n", "\n")
    assert words["facts"] in current
    photograph(world, a, f"appeal-editor-{lang}")
    fill(a, "body", current.replace(words["facts"], words["edited"]))
    press(a, t(lang, "appeal.edit.save"))
    on_document(a, appeal_path, lang)
    assert flash(a) == t(lang, "flash.appeal.revised")
    assert state(a) == t(lang, "appeal.state.in_review"), "a suggested edit keeps the version in review"
    assert words["edited"] in text_of(a, "#appeal-text")
    assert text_of(a, "#review p.hint") == t(lang, "appeal.review.legend", "1", "2")
    diff = a.find_element(By.ID, "diff")
    removed = [d.text for d in diff.find_elements(By.TAG_NAME, "del")]
    added = [i.text for i in diff.find_elements(By.TAG_NAME, "ins")]
    assert any(REMOVED[lang] in d for d in removed), removed
    assert any(ADDED[lang] in i for i in added), added
    assert not any(words["city"] in piece for piece in removed + added), "only the words changed are marked"
    revisions = text_of(a, "#review ul.plain")
    assert t(lang, "appeal.review.revision", "2") + " — " + world.names["a"] in revisions, revisions
    assert t(lang, "appeal.review.revision", "1") + " — " + world.names["officer"] in revisions, revisions
    # A wrote part of it now: someone else approves.
    assert t(lang, "appeal.step.approve") not in buttons(a), buttons(a)
    assert text_of(a, "#approve-blocked") == t(lang, "appeal.refusal.ownText")
    photograph(world, a, f"appeal-diff-{lang}")
    a.close()
    a.switch_to.window(first_tab)
    # The approve button of the page A had open before the edit: refused by the server.
    assert t(lang, "appeal.step.approve") in buttons(a)
    press(a, t(lang, "appeal.step.approve"))
    refused(a, 409, t(lang, "appeal.refusal.ownText"))
    assert state(a) == t(lang, "appeal.state.in_review")
    assert reference_shown(a) == t(lang, "appeal.notIssued")
    assert text_of(a, "#approve-blocked") == t(lang, "appeal.refusal.ownText")
    # A's attention list no longer asks A to approve it.
    a.get(world.url("/attention"))
    assert f"{title} ({lang.upper()})" not in main_text(a)

    # 4. B's approve button, on the page read before A's edit: refused, nobody approves words
    # they have not read; the page now shows the new text.
    press(b, t(lang, "appeal.step.approve"))
    refused(b, 409, t(lang, "appeal.refusal.changedSinceRead"))
    assert state(b) == t(lang, "appeal.state.in_review") and reference_shown(b) == t(lang, "appeal.notIssued")
    assert words["edited"] in text_of(b, "#appeal-text")
    # B opens it again from /appeals, reads the diff and approves: the reference is issued.
    b.get(world.url("/appeals?state=in_review"))
    page_fine(b, "/appeals")
    assert heading(b) == t(lang, "appeal.list.heading")
    row = b.find_element(By.XPATH, f"//table[@id='appeals']//tr[td[@data-label={xpath_text(t(lang, 'appeal.col.title'))}][normalize-space()={xpath_text(title)}]]")
    assert t(lang, "appeal.notIssued") in row.text and f"{lang.upper()} · {t(lang, 'appeal.state.in_review')}" in row.text, row.text
    photograph(world, b, f"appeal-list-{lang}")
    click_and_wait(b, row.find_element(By.CSS_SELECTOR, "a.code"))
    page_fine(b, appeal_path)
    assert words["edited"] in text_of(b, "#appeal-text")
    assert b.find_elements(By.CSS_SELECTOR, "#diff ins") and b.find_elements(By.CSS_SELECTOR, "#diff del")
    assert not b.find_elements(By.ID, "approve-blocked")
    press(b, t(lang, "appeal.step.approve"))
    on_document(b, appeal_path, lang)
    assert flash(b) == t(lang, "flash.appeal.approved")
    assert state(b) == t(lang, "appeal.state.approved")
    reference = reference_shown(b)
    now = datetime.datetime.now(datetime.timezone.utc)
    months = {now.strftime("%m%y"), (now - datetime.timedelta(minutes=10)).strftime("%m%y")}
    match = re.fullmatch(r"CMR (\d{3}) / (\d{4}) / OBS (\d{3})", reference)
    assert match and match.group(2) in months, f"{reference!r} is not CMR NNN / MMYY / OBS NNN for this month"
    # Every original approved on this instance is about Cameroon: the country's number and the
    # organisation's number of the year are both the count so far.
    number = f"{len(world.originals) + 1:03d}"
    assert (match.group(1), match.group(3)) == (number, number), f"appeal number {number} about Cameroon this year: {reference}"
    world.originals.append(reference)
    issued = text_of(b, "dl.facts")
    assert t(lang, "appeal.field.issued") in issued, issued
    assert t(lang, "appeal.review.approved") in text_of(b, "#review ul.plain")
    # Approved, but the defender has not consented to the public page: publishing is blocked.
    assert t(lang, "appeal.step.publish") not in buttons(b), buttons(b)
    assert text_of(b, "#publish-blocked") == t(lang, "appeal.show.consentMissing", "1")
    # B may not see the case: the defender is not named to them, their consent is shown all the same.
    hidden = t(lang, "appeal.consent.hidden")
    # (The "Link a case" field's placeholder is an example code: only the text counts.)
    assert defender not in text_of(b, "#consents") and summary not in b.page_source and case_code not in main_text(b)
    assert t(lang, "appeal.show.onlyHiddenCases", "1") in text_of(b, "aside.side-actions section.card")
    assert consent_cell(b, hidden, t(lang, "appeal.channel.public_page")) == t(lang, "appeal.consent.none")
    assert not b.find_elements(By.ID, "public-link")
    photograph(world, b, f"appeal-approved-{lang}")

    # 5. The protection officer records the defender's consent to the public page and feed.
    record_consent(officer, world, appeal_path, lang, defender, words["consent_note"])
    photograph(world, officer, f"appeal-consent-{lang}")

    # 6. B publishes.
    b.get(world.url("/attention"))
    item = b.find_element(By.XPATH, f"//section[@id='appeals']//li[.//span[@class='work-title'][normalize-space()={xpath_text(f'{title} ({lang.upper()})')}]]")
    assert t(lang, "attention.reason.appealToPublish") in item.text and reference in item.text, item.text
    photograph(world, b, f"appeal-attention-to-publish-{lang}")
    click_and_wait(b, item.find_element(By.TAG_NAME, "a"))
    on_document(b, appeal_path, lang)
    assert not b.find_elements(By.ID, "publish-blocked")
    press(b, t(lang, "appeal.step.publish"))
    on_document(b, appeal_path, lang)
    assert flash(b) == t(lang, "flash.appeal.published")
    assert state(b) == t(lang, "appeal.state.published")
    assert t(lang, "appeal.show.online") in text_of(b, "p.badges")
    public_path = f"{words['public']}/{slug(reference)}"
    link = b.find_element(By.CSS_SELECTOR, "#public-link a")
    assert urlsplit(link.get_attribute("href")).path == public_path, link.get_attribute("href")
    assert t(lang, "appeal.event.publish") + f" ({words['language_name']})" in text_of(b, "#history")
    photograph(world, b, f"appeal-published-{lang}")

    # Signed out: the public page, the list and the feed; nothing of the case file.
    secrets = [case_code, summary, "Canary summary", words["region"], words["comment"], words["consent_note"], "/cases/", world.names["officer"]]
    shown_title, shown_text, shown_reference, page, reader = public_page(world, lang, public_path, secrets, f"appeal-public-{lang}")
    assert shown_title == title, shown_title
    assert shown_reference == reference
    assert words["edited"] in shown_text and REMOVED[lang] not in shown_text, "the published text is the approved revision"
    assert t(lang, "appeal.kind.urgent_appeal") in page
    reader.get(world.url(words["public"]))
    page_fine(reader, words["public"])
    assert heading(reader) == t(lang, "appeal.public.heading")
    listed = reader.find_element(By.XPATH, f"//ul[@id='published']//a[normalize-space()={xpath_text(title)}]")
    assert urlsplit(listed.get_attribute("href")).path == public_path
    for secret in secrets:
        assert secret not in reader.page_source, f"{secret!r} is on the public list"
    assert foreign_requests(reader, world.server.base_url) == []
    photograph(world, reader, f"appeal-public-list-{lang}")
    world.forget(reader)
    feed, entries = feed_entries(world, lang)
    entry = entries.get(f"{reference} — {title}")
    assert entry, list(entries)
    assert any(urlsplit(href).path == public_path for href in entry["links"]), entry["links"]
    assert words["edited"] in entry["content"], entry["content"][:300]
    for secret in secrets:
        assert secret not in feed, f"{secret!r} is in the feed"

    # The case file lists the document, published, and puts it on the timeline.
    officer.get(world.url(case_path))
    page_fine(officer, case_path)
    panel = text_of(officer, "#appeals")
    assert reference in panel and title in panel and f"{lang.upper()} {t(lang, 'appeal.state.published')}" in panel, panel
    assert f"{reference} — {t(lang, 'appeal.event.publish')} ({lang.upper()})" in text_of(officer, "#timeline")
    photograph(world, officer, f"appeal-case-panel-published-{lang}")

    # 7. B writes a follow-up: a release.
    b.get(world.url(appeal_path + f"?language={lang}"))
    click_and_wait(b, b.find_element(By.ID, "new-follow-up"))
    page_fine(b, "/appeals/new")
    appeal_id = appeal_path.rsplit("/", 1)[1]
    assert f"parent={appeal_id}" in b.current_url, b.current_url
    assert heading(b) == t(lang, "appeal.followUp.heading")
    assert text_of(b, "p.lead") == t(lang, "appeal.followUp.lead", reference)
    assert not b.find_elements(By.ID, "country"), "a follow-up takes its original's country"
    choose(b, "followUpKind", "release")
    follow_title = words["follow_title"].format(defender)
    fill(b, "title", follow_title)
    fill(b, "body", words["follow_body"].format(defender))
    photograph(world, b, f"appeal-follow-up-new-{lang}")
    press(b, t(lang, "appeal.new.save"))
    follow_path = path(b)
    assert APPEAL_PATH.match(follow_path) and follow_path != appeal_path, f"{follow_path}: {problems(b)}"
    on_document(b, follow_path, lang)
    assert flash(b) == t(lang, "flash.appeal.created")
    about = text_of(b, "aside.side-actions section.card")
    assert t(lang, "appeal.show.followUpOf") + " " + reference in about, about
    assert t(lang, "appeal.show.onlyHiddenCases", "1") in about and case_code not in main_text(b), \
        f"a follow-up inherits its original's case (which B may not see): {about}"
    press(b, t(lang, "appeal.step.submit"))
    on_document(b, follow_path, lang)
    assert state(b) == t(lang, "appeal.state.in_review")
    assert text_of(b, "#approve-blocked") == t(lang, "appeal.refusal.ownText"), "B wrote it"

    # A, who wrote none of it, approves: the original's reference and ".1".
    a.get(world.url("/attention"))
    item = a.find_element(By.XPATH, f"//section[@id='appeals']//li[.//span[@class='work-title'][normalize-space()={xpath_text(f'{follow_title} ({lang.upper()})')}]]")
    assert t(lang, "attention.reason.appealToApprove") in item.text, item.text
    click_and_wait(a, item.find_element(By.TAG_NAME, "a"))
    on_document(a, follow_path, lang)
    press(a, t(lang, "appeal.step.approve"))
    on_document(a, follow_path, lang)
    assert flash(a) == t(lang, "flash.appeal.approved")
    follow_reference = reference_shown(a)
    assert follow_reference == reference + ".1", follow_reference
    assert text_of(a, "#publish-blocked") == t(lang, "appeal.show.consentMissing", "1"), "consent is given per document"

    # The officer records the defender's consent for the follow-up; A publishes it.
    record_consent(officer, world, follow_path, lang, defender, words["consent_note"])
    a.get(world.url(follow_path + f"?language={lang}"))
    on_document(a, follow_path, lang)
    press(a, t(lang, "appeal.step.publish"))
    on_document(a, follow_path, lang)
    assert flash(a) == t(lang, "flash.appeal.published")
    assert state(a) == t(lang, "appeal.state.published")
    follow_public = f"{words['public']}/{slug(follow_reference)}"
    assert follow_public == public_path + "-1", follow_public
    assert urlsplit(a.find_element(By.CSS_SELECTOR, "#public-link a").get_attribute("href")).path == follow_public
    photograph(world, a, f"appeal-follow-up-published-{lang}")
    # The original lists its follow-up.
    a.get(world.url(appeal_path + f"?language={lang}"))
    on_document(a, appeal_path, lang)
    follow_ups = text_of(a, "aside.side-actions section.card")
    assert f"{follow_reference} — {t(lang, 'appeal.followUp.release')}" in follow_ups, follow_ups

    # Signed out: the follow-up's page says what it follows up; the feed has both.
    shown_title, shown_text, shown_reference, page, reader = public_page(world, lang, follow_public, secrets, f"appeal-public-follow-up-{lang}")
    assert shown_title == follow_title and shown_reference == follow_reference
    assert defender in shown_text
    original = reader.find_element(By.XPATH, f"//main//p[starts-with(normalize-space(), {xpath_text(t(lang, 'appeal.public.followUpOf'))})]/a")
    assert original.text == reference and urlsplit(original.get_attribute("href")).path == public_path
    click_and_wait(reader, original)
    page_fine(reader, public_path)
    assert heading(reader) == title
    # The original's page leads to its published follow-up.
    follow_ups = reader.find_element(By.ID, "follow-ups")
    assert t(lang, "appeal.public.followUps") in follow_ups.text, follow_ups.text
    links = [(a_.text, urlsplit(a_.get_attribute("href")).path) for a_ in follow_ups.find_elements(By.TAG_NAME, "a")]
    assert len(links) == 1 and follow_title in links[0][0] and links[0][1] == follow_public, links
    photograph(world, reader, f"appeal-public-with-follow-up-{lang}")
    world.forget(reader)
    feed, entries = feed_entries(world, lang)
    assert f"{reference} — {title}" in entries and f"{follow_reference} — {follow_title}" in entries, list(entries)
    for secret in secrets:
        assert secret not in feed, f"{secret!r} is in the feed"


def test_the_diff_of_a_suggested_edit_fits_a_phone(world):
    """A document page showing the diff of two revisions fits a 1280 px screen and a 360 px phone.

    The diff is a <pre>, where each paragraph of the text is one line: without `white-space:
    pre-wrap` in the style sheet, a page with two revisions was some 3 400 px wide."""
    b = world.people["b"]
    speak(b, world, "en")
    b.get(world.url("/appeals/new"))
    page_fine(b, "/appeals/new")
    choose(b, "country", "TN")
    fill(b, "title", f"Tunisia: a statement about the diff ({RUN})")
    fill(b, "body", "A first paragraph long enough to be wider than any phone once it is written on one single line, "
                    "as a paragraph of an appeal always is; it names nobody and says nothing of any case.\n")
    press(b, t("en", "appeal.new.save"))
    appeal_path = path(b)
    assert APPEAL_PATH.match(appeal_path), problems(b)
    click_and_wait(b, b.find_element(By.ID, "edit-text"))
    body = b.find_element(By.ID, "body").get_attribute("value")
    fill(b, "body", body.replace("one single line", "a single line"))
    press(b, t("en", "appeal.edit.save"))
    on_document(b, appeal_path, "en")
    assert b.find_elements(By.CSS_SELECTOR, "#diff ins") and b.find_elements(By.CSS_SELECTOR, "#diff del")
    width = b.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{appeal_path} is {width[0]} px wide in a {width[1]} px window"
    photograph(world, b, "appeal-diff-phone")
