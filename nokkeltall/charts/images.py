"""Plotly figures to PNG on the server: the one Kaleido manager of the app, documents and downloads.

Kaleido (v1) drives a headless Chromium. This module owns one Kaleido instance per process, on its
own event-loop thread, with a few browser tabs so that the charts of one document are drawn at
the same time. Every call is bounded by a timeout; when no browser is found, the browser does not
start, or a picture takes too long, callers get ``ImagesUnavailable`` with a short Norwegian
message (never a traceback, never a hang) and show the chart's table instead.

    from nokkeltall.charts import images
    images.status()                        # «Diagrammer i dokumenter: tilgjengelig (…)»
    png = images.figure_png(figure)        # bytes, or raises images.ImagesUnavailable
    pngs = images.figures_png([f1, f2])    # drawn concurrently; None where a figure failed

The browser is looked up in ``BROWSER_PATH`` (if set, it must exist) and else on ``PATH``
(``chromium``, ``chromium-browser``, ``google-chrome``). Nothing is fetched from the internet:
MathJax is off and plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import shutil
import threading
import time

WIDTH, HEIGHT, SCALE = 900, 420, 2
TABS = 2  # concurrent renders (the machine kind has two cores)
START_TIMEOUT = 20.0  # seconds to start the browser
RENDER_TIMEOUT = 15.0  # seconds for one picture
RETRY_AFTER = 300.0  # after a failure, images are not tried again for this long (seconds)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")

NO_BROWSER = (
    "Diagrammene er vist som tabeller: nettleseren Chromium, som tegner diagrammene, finnes ikke på maskinen."
)
FAILED = (
    "Diagrammene er vist som tabeller: nettleseren som tegner dem, kunne ikke startes eller svarte "
    "ikke i tide."
)
CHART_REPLACED = "Diagrammet kunne ikke tegnes her; tabellen viser de samme tallene."

log = logging.getLogger(__name__)


class ImagesUnavailable(RuntimeError):
    """No picture can be drawn now; ``str(error)`` is a Norwegian sentence for the user."""


def browser_path() -> str | None:
    """The Chromium to use, or None. ``BROWSER_PATH``, when set, must name an executable file."""
    given = os.environ.get("BROWSER_PATH")
    if given:
        return given if os.path.isfile(given) and os.access(given, os.X_OK) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    """Whether pictures can be tried now (a browser exists and no recent failure)."""
    return _manager.failure() is None and browser_path() is not None


def status() -> str:
    """One Norwegian line for ``make run`` and the CLI: are charts in documents available?"""
    path = browser_path()
    if path is None:
        return (
            "Diagrammer i dokumenter: ikke tilgjengelig (fant ikke Chromium; dokumentene får tabeller i "
            "stedet for diagrammer). Installer pakken «chromium» eller sett BROWSER_PATH."
        )
    return f"Diagrammer i dokumenter: tilgjengelig (Chromium: {path})."


class _Manager:
    """One Kaleido on one event-loop thread; started on first use, stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None
        self._failed: tuple[float, str] | None = None

    def failure(self) -> str | None:
        if self._failed and time.monotonic() - self._failed[0] < RETRY_AFTER:
            return self._failed[1]
        return None

    def fail(self, message: str, error: BaseException | None = None) -> ImagesUnavailable:
        (log.info if message == NO_BROWSER else log.warning)(
            "PNG rendering unavailable: %s (%r)", message, error
        )
        self._failed = (time.monotonic(), message)
        self._stop_quietly()
        return ImagesUnavailable(message)

    def _start(self) -> None:
        path = browser_path()
        if path is None:
            raise self.fail(NO_BROWSER)
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="kaleido", daemon=True).start()
        self._loop = loop
        try:
            self._kaleido = self._call(self._open(path), START_TIMEOUT)
        except Exception as error:  # any start failure means: tables instead
            raise self.fail(NO_BROWSER if "not found" in str(error).lower() else FAILED, error) from None
        atexit.register(self.stop)

    @staticmethod
    async def _open(path: str):
        import kaleido  # slow import, only when a picture is asked for

        instance = kaleido.Kaleido(n=TABS, timeout=RENDER_TIMEOUT, mathjax=False, path=path)
        await instance.open()
        return instance

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:  # stopped meanwhile (at exit, or after a failure)
            raise ImagesUnavailable(FAILED)
        return self._loop

    def _call(self, coroutine, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._running_loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def kaleido(self):
        with self._lock:
            failure = self.failure()
            if failure:
                raise ImagesUnavailable(failure)
            if self._kaleido is None:
                self._failed = None
                self._start()
            return self._kaleido

    def submit(self, specs: list[dict], opts: list[dict]) -> list[concurrent.futures.Future]:
        """Start drawing every spec on the browser's tabs; returns at once (after the browser has started)."""
        instance = self.kaleido()
        return [
            asyncio.run_coroutine_threadsafe(instance.calc_fig(spec, opts=o), self._running_loop())
            for spec, o in zip(specs, opts, strict=True)
        ]

    def collect(self, futures: list[concurrent.futures.Future]) -> list[bytes | BaseException]:
        """The pictures of ``submit``, each as PNG bytes or its exception, within one shared deadline."""
        deadline = time.monotonic() + RENDER_TIMEOUT * max(1, len(futures) / TABS)
        results: list[bytes | BaseException] = []
        for future in futures:
            try:
                results.append(future.result(max(0.1, deadline - time.monotonic())))
            except concurrent.futures.TimeoutError as error:
                future.cancel()
                results.append(error)
            except Exception as error:  # one bad figure must not lose the others
                results.append(error)
        if results and all(isinstance(r, concurrent.futures.TimeoutError) for r in results):
            raise self.fail(FAILED)
        return results

    def _stop_quietly(self) -> None:
        with contextlib.suppress(Exception):  # stopping a broken browser may fail as well
            self.stop(timeout=3.0)

    def stop(self, timeout: float = 5.0) -> None:
        instance, loop = self._kaleido, self._loop
        self._kaleido = None
        if instance is not None and loop is not None:
            with contextlib.suppress(Exception):  # at exit, nothing more to do
                asyncio.run_coroutine_threadsafe(instance.close(), loop).result(timeout)
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        self._loop = None


_manager = _Manager()


def _spec(figure, width: int, height: int | None, scale: float) -> tuple[dict, dict]:
    spec = figure.to_dict() if hasattr(figure, "to_dict") else dict(figure)
    layout = spec.setdefault("layout", {})
    layout.setdefault("paper_bgcolor", "white")
    height = height or layout.get("height") or HEIGHT
    return spec, {"format": "png", "width": width, "height": height, "scale": scale}


def submit_png(
    figures: list, width: int = WIDTH, height: int | None = None, scale: float = SCALE
) -> list[concurrent.futures.Future]:
    """Start drawing the figures (concurrently, in the background); pass the result to ``collect_png``.

    Raises ``ImagesUnavailable`` when no browser can be started."""
    pairs = [_spec(f, width, height, scale) for f in figures]
    return _manager.submit([p[0] for p in pairs], [p[1] for p in pairs])


def collect_png(futures: list[concurrent.futures.Future]) -> list[bytes | None]:
    """The PNG bytes of ``submit_png`` (None where a figure failed); raises ``ImagesUnavailable`` when
    none could be drawn in time."""
    results = _manager.collect(futures)
    for result in results:
        if isinstance(result, BaseException):
            log.warning("One figure could not be drawn: %r", result)
    return [r if isinstance(r, bytes) else None for r in results]


def figures_png(
    figures: list, width: int = WIDTH, height: int | None = None, scale: float = SCALE
) -> list[bytes | None]:
    """Each figure as PNG bytes (None where that figure failed), drawn concurrently.

    Raises ``ImagesUnavailable`` when no picture can be drawn at all (no browser, or it hangs).
    """
    if not figures:
        return []
    return collect_png(submit_png(figures, width, height, scale))


def figure_png(figure, width: int = WIDTH, height: int | None = None, scale: float = SCALE) -> bytes:
    """One figure as PNG bytes (white background); raises ``ImagesUnavailable`` if it cannot be drawn."""
    (png,) = figures_png([figure], width, height, scale)
    if png is None:
        raise ImagesUnavailable(FAILED)
    return png


def stop() -> None:
    """Stop the browser (it starts again on the next picture)."""
    _manager.stop()


def reset() -> None:
    """Forget a recorded failure (tests, or after installing Chromium) and stop the browser."""
    _manager.stop()
    _manager._failed = None


if __name__ == "__main__":  # `python -m nokkeltall.charts.images`: the line `make run` prints
    print(status())
