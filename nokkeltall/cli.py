"""The ``nokkeltall`` command (also ``python -m nokkeltall``): thin over the package modules.

Errors a user can make (unknown municipality or indicator, unreadable file) end with exit
code 2 and a Norwegian message, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import logging
import sys
from pathlib import Path

import pandas as pd

from nokkeltall import checks, config, db, indicators, log, projection, queries, snapshot, text
from nokkeltall.applications import spreadsheet
from nokkeltall.projection import evaluation
from nokkeltall.sources import UnknownLayoutError, parse_file
from nokkeltall.store.database import UserStore
from nokkeltall.store.scenarios import ScenarioStore

_log = logging.getLogger(__name__)

USAGE_ERROR = 2


class CliError(Exception):
    def __init__(self, message: str, code: int = USAGE_ERROR):
        super().__init__(message)
        self.code = code


def _connection():
    db.ensure_database()
    return db.connect()


def cmd_import(args) -> int:
    """Parse source files and add them to the snapshot (all or nothing), then rebuild the database."""
    files: list[Path] = []
    for given in args.paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and not p.name.endswith(".md") and not p.name.startswith(".")
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CliError(f"Finner ikke {given}")
    datasets = []
    for path in files:
        try:
            parsed = parse_file(path)
        except UnknownLayoutError as error:
            raise CliError(f"Import avbrutt, ingenting er endret: {error}") from error
        datasets.extend(parsed)
        print(
            f"{path.name}: {', '.join(f'{d.name} ({len(d.frame)} rader)' for d in parsed)}", file=sys.stderr
        )
    snapshot.write_datasets(datasets)
    print(f"Skrev {len(datasets)} datasett til {config.snapshot_dir()}", file=sys.stderr)
    if not args.no_build:
        report = db.build()
        print(f"Bygde databasen på {report['seconds']:.1f} s", file=sys.stderr)
        _show_checks(Path(report["path"]))
    return 0


def cmd_build(args) -> int:
    report = db.build()
    for name, problem in report["problems"].items():
        print(f"ADVARSEL {name}: {problem}", file=sys.stderr)
    print(f"Bygde {report['path']} på {report['seconds']:.1f} s", file=sys.stderr)
    _show_checks(Path(report["path"]))
    return 1 if report["problems"] else 0


def tidy() -> None:
    """On every start: finish or undo a half-done snapshot swap, remove killed builds' files; say so."""
    try:
        actions = db.recover()
    except OSError as error:  # e.g. a read-only data folder: the command itself may still work
        print(f"Advarsel: kunne ikke rydde i datamappen ({error})", file=sys.stderr)
        return
    for action in actions:
        print(f"Ryddet: {action}", file=sys.stderr)


def _show_checks(path: Path) -> None:
    """After a build: the checks are shown, not fatal; the database stays usable
    («nokkeltall check» exits 1)."""
    print(checks.report(checks.check_database(path)), file=sys.stderr)


def cmd_check(args) -> int:
    """Run the validation rules over the database; each failed rule with examples, exit code 1."""
    path = Path(args.database) if args.database else db.ensure_database()
    if not path.is_file():
        raise CliError(f"Finner ikke databasen {path}")
    results = checks.check_database(path)
    print(checks.report(results))
    return 0 if all(result.passed for result in results) else 1


def cmd_status(args) -> int:
    manifest_path = config.snapshot_dir() / snapshot.MANIFEST
    if not manifest_path.is_file():
        raise CliError(
            f"{manifest_path.name} mangler i {manifest_path.parent}: øyeblikksbildet kan ikke brukes. "
            "Kjør «make snapshot» eller hent data/snapshot fra git på nytt.",
            code=1,
        )
    manifest = snapshot.read_manifest()
    problems = snapshot.verify()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["dataset", "table", "rows", "years", "updated", "source", "status"])
    for name, entry in manifest["datasets"].items():
        years = "–".join(str(y) for y in (entry.get("years") or []))
        writer.writerow(
            [
                name,
                entry["table_id"],
                entry["rows"],
                years,
                entry.get("updated") or entry.get("fetched"),
                entry["source"],
                problems.get(name) or "ok",
            ]
        )
    broken = [name for name, problem in problems.items() if problem]
    if broken:
        print(f"{len(broken)} ødelagte datasett: {', '.join(broken)}", file=sys.stderr)
    return 1 if broken else 0


def cmd_indicators(args) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["id", "label", "unit", "table"])
    for indicator in indicators.CATALOGUE:
        writer.writerow([indicator.id, indicator.label, indicator.unit, indicator.table_id])
    return 0


def cmd_municipalities(args) -> int:
    con = _connection()
    counties = [args.county.zfill(2)] if args.county else None
    frame = queries.municipalities(con, counties, args.max_population)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["number", "name", "county", "population"])
    for row in frame.itertuples():
        population = "" if pd.isna(row.population) else int(row.population)
        writer.writerow([row.municipality_code, row.name, row.county_name, population])
    return 0


def resolve_municipality(con, given: str) -> dict:
    """A municipality by number or (unique) name; CliError with near matches otherwise."""
    all_municipalities = queries.municipalities(con)
    by_code = all_municipalities.set_index("municipality_code")
    found = None
    if given.strip().zfill(4) in by_code.index and given.strip().isdigit():
        found = queries.municipality(con, given.strip().zfill(4))
    names = all_municipalities[all_municipalities["name"].str.lower() == given.strip().lower()]
    if found is None and len(names) == 1:
        found = queries.municipality(con, names.iloc[0]["municipality_code"])
    if found is not None:
        return found
    labels = [f"{r.municipality_code} {r.name}" for r in all_municipalities.itertuples()]
    near = indicators.near_matches(given, labels)
    hint = f" Mente du: {', '.join(near)}?" if near else ""
    raise CliError(f"Ukjent kommune «{given}».{hint}")


def cmd_series(args) -> int:
    con = _connection()
    municipality = resolve_municipality(con, args.municipality)
    if args.indicator not in indicators.BY_ID:
        near = indicators.near_matches(args.indicator, list(indicators.BY_ID))
        hint = f" Mente du: {', '.join(near)}?" if near else " Se «nokkeltall indicators»."
        raise CliError(f"Ukjent indikator «{args.indicator}».{hint}")
    indicator = indicators.get(args.indicator)
    if args.country:
        series = queries.aggregate_series(con, args.indicator, None)
    elif args.county:
        series = queries.aggregate_series(con, args.indicator, municipality["county_code"])
    else:
        series = queries.indicator_series(con, args.indicator, [municipality["municipality_code"]])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["year", "value"])
    for row in series.itertuples():
        shown = indicators.display_value(indicator, row.value)
        writer.writerow([row.year, _plain(shown, indicator.decimals)])
    return 0


def _plain(value, decimals: int) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    if value.is_integer() and decimals == 0:
        return str(int(value))
    return f"{value:.{max(decimals, 1) + 1}f}".rstrip("0").rstrip(".")


def _terminal_progress(event) -> None:
    """One line per table on a terminal, rewritten in place as its queries complete."""
    if event.total:
        filled = int(20 * event.done / event.total)
        bar = "#" * filled + "-" * (20 - filled)
        line = f"{event.table_id} {event.title[:40]:40} [{bar}] {event.done}/{event.total}"
    else:
        line = f"{event.table_id} {event.title[:40]:40} {event.stage}"
    end = "\n" if event.stage in ("ferdig", "uendret") or not sys.stderr.isatty() else "\r"
    print(line, end=end, file=sys.stderr, flush=True)


def cmd_refresh(args) -> int:
    """Fetch the catalogue's tables from SSB's API into the snapshot, then rebuild the database."""
    from nokkeltall.ssb.refresh import RefreshError, refresh  # here: imports requests

    try:
        result = refresh(
            args.table or None,
            progress=_terminal_progress,
            max_age=args.max_age_hours * 3600,
            force=args.force,
            budget=args.budget_seconds,
        )
    except RefreshError as error:
        print(f"Feil: {error}", file=sys.stderr)
        return 1
    except KeyError as error:
        raise CliError(f"Ukjent tabell {error}. Tabeller som kan hentes: se «nokkeltall status».") from error
    for outcome in result.outcomes:
        if outcome.status == "skipped":
            print(f"{outcome.table_id}: hoppet over – {outcome.message}", file=sys.stderr)
            continue
        state = "oppdatert" if outcome.status == "updated" else "uendret"
        print(f"{outcome.table_id}: {state} (SSB oppdatert {outcome.updated or 'ukjent'})", file=sys.stderr)
    if result.written:
        report = db.build()
        print(f"Bygde databasen på {report['seconds']:.1f} s", file=sys.stderr)
        _show_checks(Path(report["path"]))
    else:
        print("Ingenting nytt hos SSB; datagrunnlaget er uendret.", file=sys.stderr)
    return 0


def cmd_report(args) -> int:
    """Write the fact-base document (kunnskapsgrunnlag) for one municipality as .docx or .html."""
    from nokkeltall.report import generate  # here: imports python-docx, kaleido

    con = _connection()
    municipality = resolve_municipality(con, args.municipality)
    code = municipality["municipality_code"]
    output = Path(args.output or f"kunnskapsgrunnlag-{code}.{args.format}")
    if not output.parent.exists():
        raise CliError(f"Mappen {output.parent} finnes ikke")
    store = UserStore() if config.user_database_path().exists() else None
    document = generate(con, code, args.format, output, charts=not args.no_charts, store=store)
    if document.note:
        print(document.note, file=sys.stderr)
    print(f"Skrev {output.resolve()}", file=sys.stderr)
    return 0


def _user_store() -> UserStore:
    return UserStore()


def _places(con) -> spreadsheet.Places:
    return spreadsheet.Places.from_frame(queries.municipalities(con))


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    chosen = {}
    for pair in pairs or []:
        name, _, header = pair.partition("=")
        if name not in spreadsheet.FIELDS or not header:
            raise CliError(
                f"Ugyldig --kolonne «{pair}»: bruk FELT=Overskrift, der FELT er en av "
                f"{', '.join(spreadsheet.FIELDS)}"
            )
        chosen[name] = header
    return chosen


def cmd_applications_import(args) -> int:
    """Read a form tool's spreadsheet of applications into the user store (all or nothing)."""
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"Finner ikke {args.file}")
    if path.stat().st_size > spreadsheet.MAX_FILE_BYTES:
        size = text.number(path.stat().st_size / 1024 / 1024, 1)
        limit = spreadsheet.MAX_FILE_BYTES // 1024 // 1024
        raise CliError(f"Filen er {size} MB; den kan være høyst {limit} MB. Ingenting er importert.")
    con = _connection()
    outcome = spreadsheet.import_file(
        _user_store(),
        path.read_bytes(),
        path.name,
        _places(con),
        args.round,
        args.by,
        _mapping(args.column),
        dry_run=args.dry_run,
    )
    if outcome.mapping is None:  # the file as a whole cannot be read
        raise CliError(outcome.problems[0])
    if outcome.needs_mapping:
        raise CliError(f"{outcome.problems[0]} Bruk --kolonne FELT=Overskrift. Ingenting er importert.")
    if not outcome.ok:
        lines = "\n".join(f"  {line}" for line in outcome.problems)
        raise CliError(f"Ingenting er importert; rett opp i filen og prøv igjen:\n{lines}")
    result = outcome.result
    assert result is not None  # outcome.ok says so
    print(
        ("Prøvekjøring, ingenting er lagret: " if args.dry_run else "Importert: ") + result.summary(),
        file=sys.stderr,
    )
    for line in spreadsheet.change_lines(result):
        print(f"  {line}", file=sys.stderr)
    return 0


def cmd_applications_export(args) -> int:
    output = Path(args.file)
    if output.suffix.lower() != ".xlsx":
        raise CliError("Eksporten skrives som Excel: gi et filnavn som slutter på .xlsx")
    if not output.parent.exists():
        raise CliError(f"Mappen {output.parent} finnes ikke")
    con = _connection()
    applications = _user_store().list_applications(args.round)
    names = dict(zip(*(queries.municipalities(con)[c] for c in ("municipality_code", "name")), strict=True))
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.write_bytes(spreadsheet.export_xlsx(applications, names))
    temporary.replace(output)
    print(f"Skrev {len(applications)} søknader til {output}", file=sys.stderr)
    return 0


def cmd_brief(args) -> int:
    """The conversation brief (samtaleunderlag) for one applicant, the same document as on the page."""
    from nokkeltall.report import brief  # imports python-docx and plotly: only for this command

    con = _connection()
    code = resolve_municipality(con, args.municipality)["municipality_code"]
    store = _user_store()
    found = store.list_applications(args.round, code)
    if not found:
        rounds = sorted({a["round_year"] for a in store.list_applications(None, code)})
        hint = (
            f" Runder med søknad: {', '.join(map(str, rounds))}." if rounds else " Importer søknadene først."
        )
        raise CliError(f"Ingen søknad fra {code}{f' i runden {args.round}' if args.round else ''}.{hint}")
    application = found[-1]  # the latest round when none is given
    output = Path(args.output or f"samtaleunderlag-{code}-{application['round_year']}.docx")
    if not output.parent.exists():
        raise CliError(f"Mappen {output.parent} finnes ikke")
    peers = store.list_applications(application["round_year"])
    result = brief.build_brief(
        con, application, store.list_plan_entries(code), store.list_milestones(code), peers=peers
    )
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.write_bytes(brief.brief_docx(result, charts=not args.no_charts))
    temporary.replace(output)
    print(f"Skrev {output}", file=sys.stderr)
    return 0


def cmd_projection(args) -> int:
    """Population projection as CSV, or the backtest table."""
    if args.group not in projection.INTERVAL_GROUPS:
        groups = ", ".join(projection.INTERVAL_GROUPS)
        raise CliError(f"Ukjent aldersgruppe «{args.group}». Velg en av: {groups}.")
    con = _connection()
    projector = projection.Projector.from_connection(con)
    scenario = _saved_scenario(args.scenario)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    try:
        if args.municipality.strip().lower() == "backtest":
            return _print_backtest(projector, writer)
        if args.municipality.strip().lower() == "prepare":
            return _keep_choices(projector)
        if args.municipality.strip().lower() in ("all", "alle"):
            projections = projector.project_all(args.base_year, args.to, scenario)
            writer.writerow(["municipality", "year", "value", "lower", "upper"])
        else:
            code = resolve_municipality(con, args.municipality)["municipality_code"]
            projections = [projector.project(code, args.base_year, args.to, scenario)]
            writer.writerow(["year", "value", "lower", "upper"])
    except projection.ProjectionError as error:
        hint = " Eller bruk navnet på et lagret scenario." if str(error).startswith("Forstår ikke") else ""
        raise CliError(f"{error}{hint}") from error
    every = args.municipality.strip().lower() in ("all", "alle")
    for result in projections:
        prefix = [result.code] if every else []
        for row in result.table(args.group).itertuples():
            writer.writerow(prefix + [row.year] + [f"{v:.1f}" for v in (row.value, row.lower, row.upper)])
    return 0


def _keep_choices(projector: projection.Projector) -> int:
    """The backtests' choices for the snapshot's figures, written into the snapshot (``make snapshot``)."""
    path = config.snapshot_dir() / projection.CHOICES_FILE
    if not projector.keep_choices(path):
        raise CliError(f"Kunne ikke skrive {path}")
    print(f"Skrev {path}", file=sys.stderr)
    return 0


def _year(value: str) -> int:
    """A year on the command line: «abc» or «2 0 4 0» gets a Norwegian message (exit code 2)."""
    try:
        return int(value.strip())
    except ValueError:
        shown = value.strip()[:20]
        raise argparse.ArgumentTypeError(f"«{shown}» er ikke et årstall (skriv f.eks. 2040)") from None


def _saved_scenario(given: str) -> str:
    """A scenario saved under this name (on the page, user store), else the text as given."""
    if not given or not config.user_database_path().exists():
        return given
    saved = ScenarioStore(UserStore()).find(given)
    return saved["scenario"] if saved else given


def _print_backtest(projector, writer) -> int:
    frame = evaluation.table(projector)
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_plain(v, 1) if isinstance(v, float) else v for v in row])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nokkeltall", description="Nøkkeltall for små kommuner (SSB).")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser(
        "import", help="les kildefiler (SSB-CSV, KLASS, JSON-stat …) inn i øyeblikksbildet"
    )
    p.add_argument("paths", nargs="+", help="filer eller mapper, f.eks. ../shared/ssb/raw")
    p.add_argument("--no-build", action="store_true", help="ikke bygg databasen etterpå")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("build", help="bygg DuckDB-databasen fra øyeblikksbildet")
    p.set_defaults(handler=cmd_build)

    p = commands.add_parser("check", help="kontroller hele databasen (summer, andeler, dekning, katalog)")
    p.add_argument("--database", help="en annen databasefil enn standard")
    p.set_defaults(handler=cmd_check)

    p = commands.add_parser("status", help="én linje per datasett: tabell, rader, år, oppdatert, kilde")
    p.set_defaults(handler=cmd_status)

    p = commands.add_parser("indicators", help="indikatorkatalogen: id, navn, enhet, tabell")
    p.set_defaults(handler=cmd_indicators)

    p = commands.add_parser("municipalities", help="kommuner som CSV: nummer, navn, fylke, folketall")
    p.add_argument("--county", help="fylkesnummer, f.eks. 18 (Nordland) eller 50 (Trøndelag)")
    p.add_argument("--max-population", type=int, help="bare kommuner med høyst så mange innbyggere")
    p.set_defaults(handler=cmd_municipalities)

    p = commands.add_parser("series", help="tidsserie som CSV (year,value) for én kommune og indikator")
    p.add_argument("municipality", help="kommunenummer eller navn, f.eks. 1835 eller Træna")
    p.add_argument("indicator", help="indikator-id, se «nokkeltall indicators»")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--county", action="store_true", help="fylket kommunen ligger i (sum av kommunene)")
    scope.add_argument("--country", action="store_true", help="hele landet (sum av kommunene)")
    p.set_defaults(handler=cmd_series)

    p = commands.add_parser("refresh", help="hent tabellene på nytt fra SSBs API (krever nett)")
    p.add_argument("--table", action="append", help="bare denne SSB-tabellen (kan gjentas), f.eks. 07459")
    p.add_argument(
        "--max-age-hours",
        type=float,
        default=6.0,
        help="gjenbruk mellomlagrede svar som er yngre enn dette (standard 6 timer)",
    )
    p.add_argument("--force", action="store_true", help="skriv selv om SSB ikke har oppdatert tabellen")
    p.add_argument(
        "--budget-seconds",
        type=float,
        help="gi opp etter så mange sekunder i alt (standard NOKKELTALL_SSB_BUDGET eller 1800)",
    )
    p.set_defaults(handler=cmd_refresh)

    p = commands.add_parser("report", help="kunnskapsgrunnlag for én kommune som Word (.docx) eller HTML")
    p.add_argument("municipality", help="kommunenummer eller navn, f.eks. 1836 eller Rødøy")
    p.add_argument("--format", choices=["docx", "html"], default="docx", help="filformat (standard docx)")
    p.add_argument("-o", "--output", help="filen som skrives (standard kunnskapsgrunnlag-NNNN.docx/.html)")
    p.add_argument(
        "--no-charts", action="store_true", help="uten diagrammer (raskere, trenger ikke nettleser)"
    )
    p.set_defaults(handler=cmd_report)

    p = commands.add_parser("applications", help="søknader til læringsnettverket: import og eksport")
    actions = p.add_subparsers(dest="action", required=True, help="import eller export")
    q = actions.add_parser("import", help="les søknader fra skjemaverktøyets regneark (.xlsx eller .csv)")
    q.add_argument("file", help="regnearket, f.eks. soknader.xlsx")
    q.add_argument(
        "--round", type=int, help="søknadsrunden (år for fristen) når filen ikke har en kolonne for den"
    )
    q.add_argument("--by", default=f"{getpass.getuser()} (kommandolinje)", help="navnet i endringsloggen")
    q.add_argument(
        "--kolonne",
        dest="column",
        action="append",
        metavar="FELT=Overskrift",
        help="velg kolonne når flere passer, f.eks. municipality=Kommunenavn (kan gjentas)",
    )
    q.add_argument("--dry-run", action="store_true", help="vis hva som ville skjedd, uten å lagre")
    q.set_defaults(handler=cmd_applications_import)
    q = actions.add_parser(
        "export", help="skriv søknadene til Excel med de samme kolonnene som importen leser"
    )
    q.add_argument("file", help="filen som skrives, f.eks. soknader.xlsx")
    q.add_argument("--round", type=int, help="bare denne søknadsrunden")
    q.set_defaults(handler=cmd_applications_export)

    p = commands.add_parser("brief", help="samtaleunderlag for én søker som Word (.docx)")
    p.add_argument("municipality", help="kommunenummer eller navn, f.eks. 1835 eller Træna")
    p.add_argument("--round", type=int, help="søknadsrunden (standard: den siste med søknad fra kommunen)")
    p.add_argument("-o", "--output", help="filen som skrives (standard samtaleunderlag-NNNN-ÅÅÅÅ.docx)")
    p.add_argument(
        "--no-charts", action="store_true", help="tidslinjen bare som tabell (trenger ikke nettleser)"
    )
    p.set_defaults(handler=cmd_brief)

    p = commands.add_parser(
        "projection",
        help="befolkningsframskriving som CSV (year,value,lower,upper), "
        "«backtest» for treffsikkerheten, «prepare» for metodevalgene i datagrunnlaget",
    )
    p.add_argument(
        "municipality",
        help="kommunenummer eller navn, «all» for alle, «backtest» for tabellen, «prepare» for å "
        "lagre tilbakeprøvingenes valg i datagrunnlaget",
    )
    p.add_argument(
        "--base-year",
        type=_year,
        help="basisår (standard: siste år med tall); bare tall til og med basisåret brukes",
    )
    p.add_argument("--to", type=_year, help="sluttår (standard 2050)")
    p.add_argument("--group", default="total", help="total, 0-19, 20-66, 67+ eller 80+ (standard total)")
    p.add_argument(
        "--scenario",
        default="",
        help="navnet på et lagret scenario, eller f.eks. «netto=+5:20-39», «fødsler=-10», "
        "«siste5» eller «siste10»; kan kombineres med komma",
    )
    p.set_defaults(handler=cmd_projection)
    return parser


def _command_line() -> str:
    return "cli"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The command prints its own Norwegian messages on stderr; the log file keeps what failed.
    log.setup(_command_line, stderr=False)
    tidy()
    try:
        return args.handler(args)
    except CliError as error:
        _log.error("nokkeltall %s failed: %s", args.command, error)
        print(f"Feil: {error}", file=sys.stderr)
        return error.code
    except (snapshot.SnapshotError, db.DatabaseError) as error:  # a broken data folder: no traceback
        _log.error("nokkeltall %s failed: %s", args.command, error)
        print(f"Feil: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
