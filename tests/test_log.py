"""Logging: what failed and for whom goes to stderr and to data/logs/nokkeltall.log; never a password."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import cli, log

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fresh_logging(monkeypatch):
    """Each test configures logging for its own data directory and leaves nothing behind."""
    monkeypatch.setattr(log, "_configured", None)
    monkeypatch.setattr(log, "_secrets", set())
    yield
    logger = logging.getLogger(log.LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def written(data_dir: Path) -> str:
    for handler in logging.getLogger(log.LOGGER).handlers:
        handler.flush()
    return (data_dir / "logs" / "nokkeltall.log").read_text(encoding="utf-8")


def test_a_failure_is_written_with_the_session_and_the_secret_masked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    log.redact("s3cret-pw")
    assert log.setup(lambda: "abcd1234") == tmp_path / "logs" / "nokkeltall.log"
    try:
        raise ValueError("login with s3cret-pw refused")
    except ValueError:
        logging.getLogger("nokkeltall.ui.store").exception("saving for %s failed", "1835")
    text = written(tmp_path)
    assert re.search(r"ERROR nokkeltall\.ui\.store \[abcd1234\] saving for 1835 failed", text)
    assert "ValueError: login with *** refused" in text  # the traceback too
    assert "s3cret-pw" not in text and "s3cret-pw" not in capsys.readouterr().err


def test_setup_twice_adds_no_second_set_of_handlers(tmp_path, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    log.setup()
    log.setup()
    logging.getLogger("nokkeltall.db").warning("once")
    assert written(tmp_path).count("once") == 1
    assert len(logging.getLogger(log.LOGGER).handlers) == 2  # stderr and the file


def test_the_file_rotates(tmp_path, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(log, "MAX_BYTES", 500)
    log.setup(stderr=False)
    for number in range(40):
        logging.getLogger("nokkeltall.db").info("line %d of the build", number)
    assert (tmp_path / "logs" / "nokkeltall.log.1").exists()
    assert "line 39 of the build" in written(tmp_path)


def test_a_data_folder_that_cannot_hold_logs_still_logs_to_stderr(tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(blocked))
    log.setup()
    logging.getLogger("nokkeltall.ui.data").error("statistics unavailable")
    err = capsys.readouterr().err
    assert "no log file" in err and "statistics unavailable" in err


def test_a_failed_command_is_logged(writable_data_dir, capsys):
    assert cli.main(["series", "9999", "population"]) == 2
    assert capsys.readouterr().err.startswith("Feil:")  # the user's message, not a log line
    assert re.search(
        r"ERROR nokkeltall\.cli \[cli\] nokkeltall series failed: .*9999", written(writable_data_dir)
    )


@pytest.mark.slow
def test_a_wrong_editor_password_is_logged_for_the_session_without_any_password(
    shipped_data_dir, monkeypatch
):
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig-passord")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/plan.py")
    at.query_params["kommune"] = "1812"
    at.run()
    at.text_input(key="_editor_password").input("feil-passord").run()
    assert "Feil passord. Du kan lese, men ikke endre." in [e.value for e in at.error]
    text = written(shipped_data_dir)
    assert re.search(r"WARNING nokkeltall\.ui\.store \[[^]-][^]]*\] wrong editor password", text)  # a session
    assert "hemmelig-passord" not in text and "feil-passord" not in text


def test_a_run_that_logs_nothing_leaves_no_log_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    log.setup(stderr=False)
    logging.getLogger("nokkeltall.db").debug("below the level")
    assert not (tmp_path / "logs").exists()
