"""The PNG pictures of a document's charts, through the app's one Kaleido manager
(``nokkeltall.charts.images``). Charts are sent to the browser as soon as they are built
(``Drawing.start``), so the browser draws while the rest of the document is written, and all
charts of a document are drawn at the same time. When no picture can be drawn (no Chromium, or it
does not answer in time), each chart keeps ``image=None`` and the writers show its table instead,
with a short note."""

from __future__ import annotations

import concurrent.futures
from typing import TYPE_CHECKING

from nokkeltall.charts import images

if TYPE_CHECKING:
    from nokkeltall.report.content import Chart


class Drawing:
    """The pictures of one document: ``start`` each chart as it is built, then ``finish`` the report."""

    def __init__(self) -> None:
        self.pending: list[tuple[Chart, concurrent.futures.Future]] = []
        self.note: str | None = None

    def start(self, chart) -> None:
        if self.note is not None or chart.figure is None:
            return
        try:
            (future,) = images.submit_png([chart.figure])
        except images.ImagesUnavailable as error:
            self.note = str(error)
            return
        self.pending.append((chart, future))

    def finish(self, report) -> str | None:
        for chart in report.charts():  # charts built without ``start`` (e.g. by a caller of build_report)
            if chart.image is None and all(chart is not c for c, _ in self.pending):
                self.start(chart)
        if self.pending and self.note is None:
            try:
                pictures = images.collect_png([f for _, f in self.pending])
            except images.ImagesUnavailable as error:
                self.note = str(error)
            else:
                for (chart, _), picture in zip(self.pending, pictures, strict=True):
                    chart.image = picture
                if any(p is None for p in pictures):
                    self.note = images.CHART_REPLACED
        report.images_note = self.note
        return self.note


def render_images(report) -> str | None:
    """Fill ``image`` of every chart of the report; returns the Norwegian note when charts became tables."""
    return Drawing().finish(report)
