"""Applications from a form tool's spreadsheet (xlsx or csv) into store rows, and back out as xlsx.

    table = read_table(data, "soknader.csv")            # xlsx, or csv with ; or , in UTF-8 or latin-1
    mapping = match_columns(table.columns)              # lenient; ColumnMapping.ambiguous → ask the user
    rows, problems = to_applications(table, mapping.fields, Places.from_frame(municipalities), round_year)
    problems |= validate_rows(rows)                     # the form's validation, per row
    store.import_applications(rows, changed_by="Kari")  # all or nothing

Every problem is keyed by the spreadsheet's row number (the header is row 1) and written in Norwegian.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from nokkeltall import indicators, text
from nokkeltall import spreadsheet as safe_sheets
from nokkeltall.applications import answers
from nokkeltall.store import ImportResult, ValidationError, validation

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
HEADER_ROW = 1

# field → (label shown to users, synonyms; the longest synonym found in a header decides)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "municipality": (
        "Kommune",
        ("kommune", "kommunenavn", "kommunenummer", "kommunenr", "knr", "sokerkommune", "kommunens navn"),
    ),
    "round_year": ("Søknadsrunde", ("soknadsrunde", "runde", "soknadsar", "soknadsfrist")),
    "received_date": (
        "Mottatt",
        ("mottatt", "mottatt dato", "innsendt", "sendt inn", "tidsmerke", "tidsstempel", "timestamp", "dato"),
    ),
    "contact_name": ("Kontaktperson", ("kontaktperson", "kontakt", "navn", "kontaktperson navn")),
    "contact_email": ("E-post", ("e post", "epost", "email", "e postadresse", "mail")),
    "samfunnsdel_year": (
        "1. Samfunnsdel fra år",
        (
            "samfunnsdel",
            "samfunnsdelen",
            "arstall samfunnsdel",
            "gjeldende samfunnsdel",
            "hvilket ar er gjeldende kommuneplanens samfunnsdel fra",
            "samfunnsdel fra ar",
        ),
    ),
    "progress_plan": (
        "2. Framdriftsplan",
        (
            "framdriftsplan",
            "fremdriftsplan",
            "framdrift",
            "fremdrift",
            "framdriftsplan for planstrategi og samfunnsdel",
        ),
    ),
    "fact_base": (
        "3. Kunnskapsgrunnlag (ja/nei)",
        (
            "kunnskapsgrunnlag",
            "statistikk",
            "nokkeltall",
            "kunnskapsgrunnlag ja nei",
            "finnes statistikk nokkeltall og kunnskapsgrunnlag",
        ),
    ),
    "fact_base_description": (
        "3. Hvilket kunnskapsgrunnlag",
        (
            "hvilket kunnskapsgrunnlag",
            "hvilke kunnskapsgrunnlag",
            "beskrivelse kunnskapsgrunnlag",
            "hvilken statistikk",
        ),
    ),
    "staff": (
        "4. Ressurser (tekst)",
        ("ressurser", "planressurser", "bemanning", "ressurser tekst", "ressurser satt av til planarbeid"),
    ),
    "staff_persons": ("4. Antall personer", ("antall personer", "personer", "antall planleggere")),
    "staff_percent": (
        "4. Stillingsandel (%)",
        ("stillingsandel", "stillingsprosent", "prosent stilling", "samlet stillingsandel"),
    ),
}
REQUIRED_FIELDS = ("municipality",)
NOT_FILE = "Filen kan ikke leses som Excel (.xlsx) eller CSV. Lagre den som .xlsx eller .csv og prøv igjen."
EMPTY_FILE = "Filen er tom."
NO_HEADER = "Fant ingen overskriftsrad i filen."


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read; the message is for users, in Norwegian."""


# --- reading the file ---------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> pd.DataFrame:
    """The first sheet (xlsx) or the table (csv) as text cells, headers from the first non-empty row."""
    if not data or not data.strip():
        raise SpreadsheetError(EMPTY_FILE)
    if len(data) > MAX_FILE_BYTES:
        size = text.number(len(data) / 1024 / 1024, 1)
        raise SpreadsheetError(
            f"Filen er {size} MB; den kan være høyst {MAX_FILE_BYTES // 1024 // 1024} MB. "
            "En eksport av søknader er vanligvis under 1 MB."
        )
    rows = _xlsx_rows(data) if data[:2] == b"PK" else _csv_rows(data, filename)
    rows = [[_cell(value) for value in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise SpreadsheetError(NO_HEADER)
    header, body = rows[0], rows[1:]
    if len(body) > MAX_ROWS:
        raise SpreadsheetError(
            f"Filen har {text.number(len(body))} rader; høyst {text.number(MAX_ROWS)} kan "
            "importeres om gangen."
        )
    width = len(header)
    names = _unique_headers(header)
    frame = pd.DataFrame([(row + [""] * width)[:width] for row in body], columns=names, dtype=object)
    frame.index = range(HEADER_ROW + 1, HEADER_ROW + 1 + len(frame))  # spreadsheet row numbers
    return frame


def _xlsx_rows(data: bytes) -> list[list]:
    import openpyxl  # noqa: PLC0415 (only for xlsx files)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook: openpyxl raises many kinds
        raise SpreadsheetError(NOT_FILE) from error
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in itertools.islice(sheet.iter_rows(values_only=True), MAX_ROWS + 50)]
    finally:
        book.close()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252/latin-1, which every byte sequence decodes as."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(data: bytes, filename: str) -> list[list]:
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(NOT_FILE)
    content = _decode(data)
    first_line = content.lstrip().splitlines()[0] if content.strip() else ""
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if not first_line.count(delimiter) and not filename.lower().endswith(".csv"):
        raise SpreadsheetError(NOT_FILE)
    return list(csv.reader(io.StringIO(content), delimiter=delimiter))


def _cell(value) -> object:
    """Cells as stripped text, dates as dates; numbers like 2012.0 as «2012»."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unique_headers(header: list) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for number, value in enumerate(header, start=1):
        name = str(value).strip() or f"Kolonne {number}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


# --- matching the columns -------------------------------------------------------------------------------


def normalise(value: str) -> str:
    """«4. Stillingsandel (%)» → «stillingsandel»: lower case, æøå folded, no digits or punctuation."""
    value = str(value).lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-z]+", " ", value)
    return " ".join(value.split())


def _score(header: str, synonyms: tuple[str, ...]) -> int:
    words = f" {normalise(header)} "
    best = 0
    for synonym in synonyms:
        if words.strip() == synonym:
            return 1000
        if f" {synonym} " in words or (len(synonym) >= 8 and synonym in words):
            best = max(best, len(synonym))
    return best


@dataclass
class ColumnMapping:
    """Which spreadsheet column holds which field; ``ambiguous`` lists fields with several candidates."""

    fields: dict[str, str]  # field → column header
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.ambiguous and not self.missing


def match_columns(headers: list[str], chosen: dict[str, str] | None = None) -> ColumnMapping:
    """Each header to the field it names best; ``chosen`` (field → header) settles ambiguities.

    A header goes to its best-scoring field; when two headers score the same for one field, the
    field is ambiguous and the user chooses (the mapping step). Columns matching nothing are unused.
    """
    chosen = {f: h for f, h in (chosen or {}).items() if h in headers and f in FIELDS}
    candidates: dict[str, list[tuple[int, str]]] = {}
    for header in headers:
        if header in chosen.values():
            continue
        scores = {name: _score(header, synonyms) for name, (_, synonyms) in FIELDS.items()}
        best = max(scores.values())
        if best:
            winner = max(scores, key=lambda name: scores[name])
            candidates.setdefault(winner, []).append((best, header))
    fields, ambiguous = dict(chosen), {}
    for name, found in candidates.items():
        if name in fields:
            continue
        found.sort(key=lambda item: (-item[0], headers.index(item[1])))
        if len(found) > 1 and found[0][0] == found[1][0]:
            ambiguous[name] = [h for score, h in found if score == found[0][0]]
        else:
            fields[name] = found[0][1]
    used = set(fields.values()) | {h for hs in ambiguous.values() for h in hs}
    missing = [f for f in REQUIRED_FIELDS if f not in fields and f not in ambiguous]
    return ColumnMapping(fields, ambiguous, [h for h in headers if h not in used], missing)


def mapping_message(mapping: ColumnMapping) -> str:
    parts = [
        f"Flere kolonner kan være «{FIELDS[f][0]}»: {', '.join(f'«{h}»' for h in hs)}. Velg én."
        for f, hs in mapping.ambiguous.items()
    ]
    parts += [
        f"Fant ingen kolonne for «{FIELDS[f][0]}». Velg hvilken kolonne som er det." for f in mapping.missing
    ]
    return " ".join(parts)


# --- municipalities by name or number -------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """Today's municipalities: number → name, and the names (and their parts) → number."""

    names: dict[str, str]
    by_name: dict[str, str]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Places:
        names = dict(zip(frame["municipality_code"], frame["name"], strict=True))
        by_name: dict[str, str] = {}
        columns = (frame["municipality_code"], frame["name"], frame["official_name"])
        for code, name, official in zip(*columns, strict=True):
            for variant in {name, official, *str(official).split(" - ")}:
                by_name.setdefault(normalise(variant), code)
        return cls(names, by_name)

    def resolve(self, value) -> tuple[str | None, str | None]:
        """(code, None) or (None, Norwegian message with «Mente du …»)."""
        given = str(value or "").strip()
        if not given:
            return None, validation.REQUIRED
        match = re.match(r"^(\d{3,4})\b", given)
        if match:
            code = match.group(1).zfill(4)
            if code in self.names:
                return code, None
            return None, f"Fant ingen kommune med nummer {code}."
        key = normalise(re.sub(r"\bkommune\b", "", given, flags=re.IGNORECASE))
        if key in self.by_name:
            return self.by_name[key], None
        labels = [f"{c} {n}" for c, n in self.names.items()]
        near = indicators.near_matches(given, labels, limit=3) or [
            f"{self.by_name[k]} {self.names[self.by_name[k]]}"
            for k in indicators.near_matches(key, list(self.by_name), limit=3)
        ]
        hint = f" Mente du {' eller '.join(dict.fromkeys(near))}?" if near else ""
        return None, f"Ukjent kommune «{given[:60]}».{hint}"


# --- cells to application fields --------------------------------------------------------------------------

NUMBER_WORDS = {"en": 1, "ei": 1, "ett": 1, "én": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6}
_PERSONS = re.compile(
    r"(\d+|en|ei|ett|én|to|tre|fire|fem|seks)\s+(?:personer|person|stk|ansatte|ansatt|"
    r"planleggere|planlegger|medarbeidere|årsverk)",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|prosent)", re.IGNORECASE)
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d.%m.%y",
)


def parse_received(value) -> object:
    """A date cell as a date when it reads as one (else the text, for validation to name)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date) or not value:
        return value
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), pattern).date()
        except ValueError:
            continue
    return value


def parse_samfunnsdel(value) -> dict:
    """«2012», «Fra 2012», «ingen», blank (= not given) → the store's answer-1 fields."""
    words = normalise(value) if value else ""
    if not words and not str(value or "").strip():
        return {"samfunnsdel_answer": validation.NOT_GIVEN, "samfunnsdel_year": None}
    years = re.findall(r"\b(1[89]\d\d|20\d\d)\b", str(value))
    if len(set(years)) == 1 and len(str(value)) <= 40:
        return {"samfunnsdel_year": years[0]}
    return {"samfunnsdel_year": value}  # «ingen», «ikke oppgitt» or text the validation names


def parse_fact_base(value, description) -> dict:
    """«ja»/«nei», «Ja, kommunebilde …», «Nei. Kun folketall …», or words alone (neither yes nor no)."""
    given = str(value or "").strip()
    extra = str(description or "").strip()
    if not given and not extra:
        return {"not_given": "fact_base"}
    match = re.match(r"^(ja|nei)\b[\s,.:;–-]*(.*)$", given, flags=re.IGNORECASE | re.DOTALL)
    if match:
        rest = " ".join(p for p in (match.group(2).strip(), extra) if p)
        return {"has_fact_base": match.group(1).lower() == "ja", "fact_base_description": rest or None}
    return {"has_fact_base": None, "fact_base_description": " ".join(p for p in (given, extra) if p)}


def _persons(found: str) -> int:
    return int(found) if found.isdigit() else NUMBER_WORDS[found.lower()]


def parse_staff(words, persons, percent) -> dict:
    """Answer 4 from a text cell and/or two figure cells. Text is kept as written; figures are read
    from it only when both are there (a share over 100 % is passed on, so validation names it)."""
    words, persons, percent = (str(v or "").strip() for v in (words, persons, percent))
    if not (words or persons or percent):
        return {"not_given": "staff"}
    result = {
        "planning_staff_text": words or None,
        "planning_staff_persons": persons or None,
        "planning_staff_percent": percent or None,
    }
    if words and not (persons or percent):
        found_persons, found_percent = _PERSONS.search(words), _PERCENT.search(words)
        share = float(found_percent.group(1).replace(",", ".")) if found_percent else 0.0
        if found_percent and (found_persons or share > 100):
            result["planning_staff_percent"] = found_percent.group(1)
            result["planning_staff_persons"] = _persons(found_persons.group(1)) if found_persons else None
    return result


def split_contact(name, email) -> tuple[str, str | None]:
    """«Kari Nordmann <kari@x.no>» or «Kari Nordmann, kari@x.no» → name and e-mail."""
    name, email = str(name or "").strip(), str(email or "").strip() or None
    found = re.search(r"[<(]?([^\s<>(),;]+@[^\s<>(),;]+)[>)]?", name)
    if found:
        email = email or found.group(1)
        name = (name[: found.start()] + name[found.end() :]).strip(" ,;-")
    return name, email


def to_applications(
    table: pd.DataFrame, fields: dict[str, str], places: Places, round_year: int | None
) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """Rows → (row number, store fields); problems keyed «<row>.<field>». ``round_year`` is used
    when the file has no round column (the round chosen on the page or with --round)."""
    rows, problems = [], {}
    if "round_year" not in fields and round_year is None:
        problems["file"] = "Filen har ingen kolonne for søknadsrunde; velg runden (år for fristen)."
    for number, row in table.iterrows():

        def cell(name: str, row=row) -> object:
            return row[fields[name]] if name in fields else ""

        code, problem = places.resolve(cell("municipality"))
        if problem:
            problems[f"{number}.municipality_code"] = problem
        name, email = split_contact(cell("contact_name"), cell("contact_email"))
        record = {
            "municipality_code": code,
            "round_year": cell("round_year") if "round_year" in fields else round_year,
            "received_date": parse_received(cell("received_date")),
            "contact_name": name,
            "contact_email": email,
            "progress_plan": cell("progress_plan") or None,
            **parse_samfunnsdel(cell("samfunnsdel_year")),
        }
        not_given = set() if record["progress_plan"] else {"progress_plan"}
        for part in (
            parse_fact_base(cell("fact_base"), cell("fact_base_description")),
            parse_staff(cell("staff"), cell("staff_persons"), cell("staff_percent")),
        ):
            not_given |= {part.pop("not_given")} if "not_given" in part else set()
            record.update(part)
        if record.get("samfunnsdel_answer") == validation.NOT_GIVEN:
            not_given.add("samfunnsdel")
        record["not_given"] = sorted(not_given)
        rows.append((int(number), record))
    return rows, problems


def validate_rows(rows: list[tuple[int, dict]], today: date | None = None) -> dict[str, str]:
    """The form's validation on every row: «<row>.<field>» → message (the municipality is checked
    by ``to_applications``, which knows the names)."""
    problems = {}
    for number, data in rows:
        _, errors = validation.clean_application(data, today)
        for name in ("municipality_code", "round_year"):  # said once, by ``to_applications``
            if data.get(name) is None:
                errors.pop(name, None)
        problems.update({f"{number}.{name}": message for name, message in errors.items()})
    return problems


FIELD_LABELS = {
    "municipality_code": "Kommune",
    "round_year": "Søknadsrunde",
    "received_date": "Mottatt",
    "contact_name": "Kontaktperson",
    "contact_email": "E-post",
    "samfunnsdel_year": "1. Samfunnsdel",
    "samfunnsdel_answer": "1. Samfunnsdel",
    "progress_plan": "2. Framdriftsplan",
    "has_fact_base": "3. Kunnskapsgrunnlag",
    "fact_base_description": "3. Kunnskapsgrunnlag",
    "planning_staff_persons": "4. Ressurser (personer)",
    "planning_staff_percent": "4. Ressurser (stillingsandel)",
    "status": "Status",
    "changed_by": "Ditt navn",
    "file": "Filen",
}


def problem_lines(problems: dict[str, str]) -> list[str]:
    """«Rad 3, Kommune: Ukjent kommune «Trena». Mente du 1835 Træna?», in row order."""

    def key(item):
        where = item[0].split(".", 1)[0]
        return (int(where) if where.isdigit() else 0, item[0])

    lines = []
    for where, message in sorted(problems.items(), key=key):
        row, _, name = where.partition(".")
        if row.isdigit():
            lines.append(f"Rad {row}, {FIELD_LABELS.get(name, name)}: {message}")
        else:
            lines.append(f"{FIELD_LABELS.get(where, where)}: {message}")
    return lines


# --- export ---------------------------------------------------------------------------------------------


def export_frame(applications: list[dict], names: dict[str, str]) -> pd.DataFrame:
    """The applications with the import's own column headers, so the file can be read back in."""
    rows = []
    for a in applications:
        answer = a.get("samfunnsdel_answer")
        rows.append(
            {
                FIELDS["municipality"][
                    0
                ]: f"{a['municipality_code']} {names.get(a['municipality_code'], '')}".strip(),
                FIELDS["round_year"][0]: a["round_year"],
                FIELDS["received_date"][0]: a["received_date"],
                FIELDS["contact_name"][0]: a.get("contact_name"),
                FIELDS["contact_email"][0]: a.get("contact_email"),
                FIELDS["samfunnsdel_year"][0]: a["samfunnsdel_year"]
                if answer == "år"
                else ("ingen" if answer == "ingen" else None),
                FIELDS["progress_plan"][0]: a.get("progress_plan"),
                FIELDS["fact_base"][0]: answers.yes_no(a.get("has_fact_base")),
                FIELDS["fact_base_description"][0]: a.get("fact_base_description"),
                FIELDS["staff_persons"][0]: a.get("planning_staff_persons"),
                FIELDS["staff_percent"][0]: a.get("planning_staff_percent"),
                FIELDS["staff"][0]: a.get("planning_staff_text"),
            }
        )
    columns = [
        FIELDS[f][0]
        for f in (
            "municipality",
            "round_year",
            "received_date",
            "contact_name",
            "contact_email",
            "samfunnsdel_year",
            "progress_plan",
            "fact_base",
            "fact_base_description",
            "staff_persons",
            "staff_percent",
            "staff",
        )
    ]
    return pd.DataFrame(rows, columns=columns)


def export_xlsx(applications: list[dict], names: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with safe_sheets.excel_writer(buffer) as writer:  # no cell can become a formula
        safe_sheets.safe_cells(export_frame(applications, names)).to_excel(
            writer, sheet_name="Søknader", index=False
        )
        sheet = writer.sheets["Søknader"]
        sheet.set_column(0, 11, 22)
    return buffer.getvalue()


# --- the whole import -----------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    """What an import found: the column mapping, the problems (as lines for users) and, when none,
    what was (or in a dry run would be) stored."""

    mapping: ColumnMapping | None = None
    problems: list[str] = field(default_factory=list)
    result: ImportResult | None = None

    @property
    def needs_mapping(self) -> bool:
        return self.mapping is not None and not self.mapping.complete

    @property
    def ok(self) -> bool:
        return not self.problems and not self.needs_mapping and self.result is not None


def import_file(
    store,
    data: bytes,
    filename: str,
    places: Places,
    round_year: int | None,
    changed_by: str,
    chosen: dict[str, str] | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Read, match, convert, validate and store (all or nothing). Nothing is written when any row has a
    problem, when the columns need the user's choice, or in a dry run."""
    try:
        table = read_table(data, filename)
    except SpreadsheetError as error:
        return ImportOutcome(problems=[f"{error} Ingenting er importert."])
    mapping = match_columns(list(table.columns), chosen)
    if not mapping.complete:
        return ImportOutcome(mapping, [mapping_message(mapping)])
    rows, problems = to_applications(table, mapping.fields, places, round_year)
    problems = {**validate_rows(rows, store.today), **problems}
    if validation.is_blank(changed_by):
        problems["changed_by"] = validation.NAME_REQUIRED
    if not rows:
        problems["file"] = validation.EMPTY_IMPORT
    if problems:
        return ImportOutcome(mapping, problem_lines(problems))
    try:
        result = store.import_applications(rows, changed_by, dry_run=dry_run)
    except ValidationError as error:
        return ImportOutcome(mapping, problem_lines(error.errors))
    return ImportOutcome(mapping, [], result)


def change_lines(result) -> list[str]:
    """«Rad 4, 1835 Træna: ny versjon (1. Samfunnsdel: 2016 → 2012)» for every changed row."""
    lines = []
    for number, application, changes in result.changed:
        shown = "; ".join(
            f"{FIELD_LABELS.get(name, name)}: {_plain(old)} → {_plain(new)}"
            for name, (old, new) in changes.items()
            if name != "samfunnsdel_answer"
        )
        lines.append(
            f"Rad {number}, {application['municipality_code']}: ny versjon {application['version']} ({shown})"
        )
    return lines


def _plain(value) -> str:
    if value is None:
        return "ikke oppgitt"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)
