#!/usr/bin/env python3
"""Validate an Atom feed document (RFC 4287) offline.

Usage:  python3 tests/feeds/validate_atom.py FEED.atom [MORE.atom ...]
Needs:  pip install --break-system-packages lxml rnc2rng   (both from PyPI)

Checks, in order; every problem is printed and the exit status is 1 if any:
  1. the file is well-formed XML 1.0 (lxml);
  2. it matches the RELAX NG schema of RFC 4287 Appendix B (atom.rnc beside
     this script, converted with rnc2rng and checked by lxml/libxml2);
  3. rules of RFC 4287 the grammar cannot express (the schema's two Schematron
     rules among them): an author for the feed or for every entry, an
     alternate link or content in every entry, at most one alternate link per
     (type, hreflang), ids that are absolute IRIs and unique among entries, and
     RFC 3339 timestamps (section 3.3: upper-case "T" and "Z", a time zone);
  4. Egide's own rules: a rel="self" link of type application/atom+xml, an
     xml:lang on the feed, and entries ordered newest `updated` first.
"""
import os
import re
import sys

import rnc2rng
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def schema():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "atom.rnc")
    with open(path, encoding="utf-8") as f:
        rng = rnc2rng.dumps(rnc2rng.loads(f.read()))
    # rnc2rng declares xmlns:local="", which XML namespaces forbid; the grammar
    # itself uses <nsName ns=""/> and does not need the prefix.
    rng = rng.replace(' xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode("utf-8")))


def rule_errors(root):
    errors = []
    if root.tag != ATOM + "feed":
        return ["root element is not atom:feed"]
    feed_has_author = root.find(ATOM + "author") is not None

    def check_date(element, where):
        value = (element.text or "").strip()
        if not RFC3339.match(value):
            errors.append(f"{where}: {element.tag[len(ATOM):]} {value!r} is not an RFC 3339 date-time")

    def check_links(parent, where):
        seen = set()
        for link in parent.findall(ATOM + "link"):
            if link.get("rel", "alternate") == "alternate":
                key = (link.get("type"), link.get("hreflang"))
                if key in seen:
                    errors.append(f"{where}: two alternate links with type/hreflang {key}")
                seen.add(key)

    def check_id(parent, where):
        ids = parent.findall(ATOM + "id")
        if len(ids) != 1:
            errors.append(f"{where}: {len(ids)} atom:id elements, expected 1")
            return None
        value = (ids[0].text or "").strip()
        if not IRI_SCHEME.match(value):
            errors.append(f"{where}: id {value!r} is not an absolute IRI")
        return value

    check_id(root, "feed")
    for name in ("updated",):
        for element in root.findall(ATOM + name):
            check_date(element, "feed")
    check_links(root, "feed")
    if root.get(XML_LANG) is None:
        errors.append("feed: no xml:lang")
    selfs = [l for l in root.findall(ATOM + "link") if l.get("rel") == "self"]
    if len(selfs) != 1 or selfs[0].get("type") != "application/atom+xml":
        errors.append('feed: expected one link rel="self" type="application/atom+xml"')

    seen_ids = set()
    previous_updated = None
    for index, entry in enumerate(root.findall(ATOM + "entry"), start=1):
        where = f"entry {index}"
        entry_id = check_id(entry, where)
        if entry_id is not None:
            if entry_id in seen_ids:
                errors.append(f"{where}: duplicate id {entry_id!r}")
            seen_ids.add(entry_id)
        for name in ("updated", "published"):
            for element in entry.findall(ATOM + name):
                check_date(element, where)
        check_links(entry, where)
        has_alternate = any(l.get("rel", "alternate") == "alternate" for l in entry.findall(ATOM + "link"))
        if not has_alternate and entry.find(ATOM + "content") is None:
            errors.append(f"{where}: neither an alternate link nor content")
        if not feed_has_author and entry.find(ATOM + "author") is None \
                and entry.find(ATOM + "source/" + ATOM + "author") is None:
            errors.append(f"{where}: no author, and the feed has none")
        updated = entry.findtext(ATOM + "updated", "").strip()
        if previous_updated is not None and RFC3339.match(updated) and updated.endswith("Z") \
                and previous_updated.endswith("Z") and updated[:19] > previous_updated[:19]:
            errors.append(f"{where}: entries are not ordered newest first")
        previous_updated = updated
    return errors


def validate(path, relaxng):
    try:
        tree = etree.parse(path, etree.XMLParser(resolve_entities=False, no_network=True))
    except (OSError, etree.XMLSyntaxError) as error:
        return [f"not well-formed XML: {error}"]
    errors = []
    if not relaxng.validate(tree):
        errors += [f"schema: line {e.line}: {e.message}" for e in relaxng.error_log]
    return errors + rule_errors(tree.getroot())


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    relaxng = schema()
    failed = False
    for path in argv[1:]:
        errors = validate(path, relaxng)
        for error in errors:
            print(f"{path}: {error}")
        if errors:
            failed = True
        else:
            print(f"{path}: valid Atom 1.0")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
