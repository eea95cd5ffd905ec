"""The PNG pictures of a document's charts, through the app's one Kaleido manager
(``nokkeltall.charts.images``): all charts of a document are drawn at the same time. When no
picture can be drawn (no Chromium, or it does not answer in time), each chart keeps ``image=None``
and the writers show its table instead, with a short note."""

from __future__ import annotations

from nokkeltall.charts import images


def render_images(report) -> str | None:
    """Fill ``image`` of every chart of the report; returns the Norwegian note when charts became tables."""
    charts = [c for c in report.charts() if c.image is None and c.figure is not None]
    if not charts:
        return None
    try:
        pictures = images.figures_png([c.figure for c in charts])
    except images.ImagesUnavailable as error:
        report.images_note = str(error)
        return report.images_note
    for chart, picture in zip(charts, pictures):
        chart.image = picture
    if any(picture is None for picture in pictures):
        report.images_note = images.CHART_REPLACED
    return report.images_note
