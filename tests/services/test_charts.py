"""Server-side SVG charts: valid SVG, no script, the numbers kept for the table beside it."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

from kotaku_collab.services.charts import bar_chart, line_chart, pie_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: bytes):
    return ElementTree.fromstring(svg)


def test_bar_chart_is_svg_without_scripts_and_keeps_its_table():
    chart = bar_chart("Peserta per sektor", ["Pemerintah", "Swasta"],
                      {"Terdaftar": [10, 4], "Hadir": [8, 3]},
                      headers=["Sektor", "Terdaftar", "Hadir"],
                      rows=[["Pemerintah", "10", "8"], ["Swasta", "4", "3"]])
    root = _parse(chart.svg)
    assert root.tag == SVG + "svg"
    assert not root.iter(SVG + "script").__next__ if False else not list(root.iter(SVG + "script"))
    text = chart.svg.decode()
    assert "Peserta per sektor" in text and "Pemerintah" in text and "Hadir" in text
    assert "<script" not in text and "javascript:" not in text
    assert chart.rows[1] == ["Swasta", "4", "3"] and not chart.empty


def test_data_uri_round_trips_to_the_svg():
    chart = line_chart("Sisa kumuh (ha)", ["2015", "2018", "2020"],
                       {"Kota Pasuruan": [80.87, 33.85, 27.99]})
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri.startswith(prefix)
    assert base64.b64decode(chart.data_uri[len(prefix):]) == chart.svg
    assert "80.87" in chart.svg.decode() or "80,87" in chart.svg.decode()


def test_gaps_and_empty_charts_render():
    line = line_chart("Air minum (%)", ["2018", "2019"], {"Klungkung": [None, 71.5]})
    assert _parse(line.svg).tag == SVG + "svg"
    empty = pie_chart("Komitmen per status", {}, no_data_text="Belum ada data")
    assert "Belum ada data" in empty.svg.decode() and empty.empty


def test_labels_are_escaped_in_the_svg():
    chart = bar_chart("<b>judul</b>", ["<script>alert(1)</script>"], {"x": [1]})
    text = chart.svg.decode()
    assert "<script>alert(1)</script>" not in text and "<b>judul</b>" not in text
    _parse(chart.svg)  # still well-formed
