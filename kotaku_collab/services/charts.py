"""Charts drawn on the server as SVG by pygal, for pages and print (no JavaScript).

Each chart comes with its numbers as rows, which the template shows as a table beside it (for
screen readers, and for anyone who wants the figures). The SVG is embedded as a data: image:
the page's Content-Security-Policy allows `img-src data:`, an SVG shown as an image never runs
scripts, and its own style sheet stays inside the image.
"""

from __future__ import annotations

import base64
import re
import sys
from dataclasses import dataclass, field
from typing import Sequence

import pygal
from pygal.style import Style

# pygal appends a legacy import hook (for its map plugins, which this app does not use) to
# sys.meta_path; every later failed import then raises an ImportWarning ("find_spec() not
# found"), e.g. openpyxl probing for numpy. Take the hook out again.
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if type(finder).__name__ != "PluginImportFixer"]

#: The app's palette (static/css/app.css): KOTAKU green first.
PALETTE = ("#1f6f50", "#d9822b", "#2b6cb0", "#b83280", "#718096", "#2f855a", "#c53030",
           "#6b46c1", "#b7791f", "#319795")

STYLE = Style(
    background="white", plot_background="white", foreground="#222", foreground_strong="#111",
    foreground_subtle="#666", colors=PALETTE, font_family="sans-serif",
    label_font_size=12, major_label_font_size=12, value_font_size=11, legend_font_size=12,
    title_font_size=14, tooltip_font_size=11,
)


@dataclass
class Chart:
    """A rendered chart: the SVG, a title and the table of its numbers."""

    title: str
    svg: bytes
    #: Column headings of the table, then its rows (already formatted for display).
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = field(default_factory=list)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")

    @property
    def empty(self) -> bool:
        return not self.rows


#: pygal always adds an inline script (its tooltip config); an image never runs it, and a
#: printed page never needs it, so it is removed.
SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)


def _render(chart) -> bytes:
    return SCRIPT.sub(b"", chart.render())


def _config(title: str, **extra) -> dict:
    return dict(title=title, style=STYLE, js=(), disable_xml_declaration=False,
                show_legend=extra.pop("show_legend", True), legend_at_bottom=True,
                width=extra.pop("width", 720), height=extra.pop("height", 360),
                print_values=extra.pop("print_values", False), margin=12,
                no_data_text=extra.pop("no_data_text", "-"), truncate_label=-1,
                **extra)


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *,
              horizontal: bool = False, stacked: bool = False, headers: Sequence[str] = (),
              rows: Sequence[Sequence[str]] = (), value_formatter=None, no_data_text: str = "-",
              ) -> Chart:
    """Bars per label, one colour per series (`{"Terdaftar": [...], "Hadir": [...]}`)."""
    cls = {(False, False): pygal.Bar, (True, False): pygal.HorizontalBar,
           (False, True): pygal.StackedBar, (True, True): pygal.HorizontalStackedBar}
    chart = cls[(horizontal, stacked)](**_config(
        title, show_legend=len(series) > 1, no_data_text=no_data_text,
        height=max(240, 60 + 28 * len(labels)) if horizontal else 360))
    if value_formatter is not None:
        chart.value_formatter = value_formatter
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(title=title, svg=_render(chart), headers=headers, rows=rows)


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *,
               headers: Sequence[str] = (), rows: Sequence[Sequence[str]] = (),
               value_formatter=None, no_data_text: str = "-") -> Chart:
    """Lines over `labels` (years), one per series; None leaves a gap."""
    chart = pygal.Line(**_config(title, show_legend=len(series) > 1, no_data_text=no_data_text,
                                 allow_interruptions=True, dots_size=4))
    if value_formatter is not None:
        chart.value_formatter = value_formatter
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(title=title, svg=_render(chart), headers=headers, rows=rows)


def pie_chart(title: str, slices: dict[str, float], *, headers: Sequence[str] = (),
              rows: Sequence[Sequence[str]] = (), value_formatter=None,
              no_data_text: str = "-") -> Chart:
    """A doughnut of shares (`{"Selesai": 12, "Dilaksanakan": 30}`)."""
    chart = pygal.Pie(**_config(title, inner_radius=0.45, no_data_text=no_data_text))
    if value_formatter is not None:
        chart.value_formatter = value_formatter
    for name, value in slices.items():
        chart.add(name, value)
    return Chart(title=title, svg=_render(chart), headers=headers, rows=rows)
