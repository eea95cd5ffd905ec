"""The four answers of an application in words, written from the structured fields.

Each answer has its states (given, «ingen»/«nei», in words only, not given) and one sentence per
state, so no sentence says two things at once (tests cover every branch).
"""

from __future__ import annotations

from nokkeltall import text

QUESTIONS = {
    "samfunnsdel": "1. Hvilket år er gjeldende kommuneplanens samfunnsdel fra?",
    "progress_plan": "2. Framdriftsplan for planstrategi og samfunnsdel",
    "fact_base": "3. Finnes statistikk, nøkkeltall og kunnskapsgrunnlag, og i så fall hvilke?",
    "staff": "4. Ressurser satt av til planarbeid (personer og stillingsandel)",
}
NOT_GIVEN_TEXT = "Ikke oppgitt i søknaden."


def yes_no(flag: object) -> str | None:
    """«ja»/«nei» for a yes/no answer (True/False, or 1/0 as SQLite returns it); None if unanswered."""
    answers: dict[object, str] = {True: "ja", False: "nei"}
    return answers.get(flag)


def _quoted(value: str) -> str:
    return f"«{value.strip().rstrip('.')}»"


def samfunnsdel_answer(application: dict) -> str:
    answer = application.get("samfunnsdel_answer")
    if answer == "år" and application.get("samfunnsdel_year") is not None:
        return f"Gjeldende samfunnsdel er fra {int(application['samfunnsdel_year'])}."
    if answer == "ingen":
        return "Kommunen oppgir at den ikke har noen gjeldende samfunnsdel."
    return NOT_GIVEN_TEXT


def progress_answer(application: dict) -> str:
    plan = application.get("progress_plan")
    return str(plan).strip() if plan and str(plan).strip() else NOT_GIVEN_TEXT


def fact_base_answer(application: dict) -> str:
    flag, description = (
        application.get("has_fact_base"),
        (application.get("fact_base_description") or "").strip(),
    )
    if flag is True:
        return f"Ja: {_quoted(description)}." if description else "Ja (uten at det er sagt hvilke)."
    if flag is False:
        return (
            f"Nei, ikke samlet i et kunnskapsgrunnlag. Kommunen skriver: {_quoted(description)}."
            if description
            else "Nei."
        )
    if description:
        return f"Svart med tekst, uten ja eller nei: {_quoted(description)}."
    return NOT_GIVEN_TEXT


def staff_answer(application: dict) -> str:
    persons, share = application.get("planning_staff_persons"), application.get("planning_staff_percent")
    words = (application.get("planning_staff_text") or "").strip()
    if persons is not None and share is not None:
        decimals = 0 if float(share).is_integer() else 1
        figures = (
            f"{text.number(persons)} {'person' if persons == 1 else 'personer'}, til sammen "
            f"{text.percent(share, decimals)} av en stilling til planarbeid."
            if persons
            else "Ingen personer eller stillingsandel satt av til planarbeid."
        )
        return figures + (f" Kommunen skriver: {_quoted(words)}." if words else "")
    if words:
        return f"Svart med tekst: {_quoted(words)}."
    return NOT_GIVEN_TEXT


def application_answers(application: dict) -> list[tuple[str, str]]:
    """(question, answer) for the four questions of the invitation."""
    return [
        (QUESTIONS["samfunnsdel"], samfunnsdel_answer(application)),
        (QUESTIONS["progress_plan"], progress_answer(application)),
        (QUESTIONS["fact_base"], fact_base_answer(application)),
        (QUESTIONS["staff"], staff_answer(application)),
    ]


def short_answers(application: dict) -> dict[str, str]:
    """The four answers in a few words, for the county matrix."""
    answer = application.get("samfunnsdel_answer")
    samfunnsdel = (
        str(application.get("samfunnsdel_year"))
        if answer == "år"
        else "ingen"
        if answer == "ingen"
        else "ikke oppgitt"
    )
    plan = progress_answer(application)
    flag = application.get("has_fact_base")
    fact = yes_no(flag) or ("tekst" if application.get("fact_base_description") else "ikke oppgitt")
    persons, share = application.get("planning_staff_persons"), application.get("planning_staff_percent")
    staff = (
        f"{text.number(persons)} pers., {text.percent(share, 0 if float(share).is_integer() else 1)}"
        if persons is not None and share is not None
        else "tekst"
        if application.get("planning_staff_text")
        else "ikke oppgitt"
    )
    return {
        "1. Samfunnsdel": samfunnsdel,
        "2. Framdriftsplan": plan if len(plan) <= 80 else plan[:79] + "…",
        "3. Kunnskapsgrunnlag": fact,
        "4. Ressurser": staff,
    }
