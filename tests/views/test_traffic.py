"""TrafficChart: widget state without a browser; building it touches nothing."""

from __future__ import annotations

from course.probe import Reply
from course.views import TrafficChart
from course.views.palette import OKABE_ITO, version_colour


def test_counts_from_a_mapping_are_drawn_and_written():
    chart = TrafficChart({"web-2": 10, "web-1": 10, "web-3": 10}, versions={"web-1": 1},
                         expected=10)
    assert chart.counts == {"web-1": 10, "web-2": 10, "web-3": 10}
    assert chart.total == 30
    assert chart.summary() == "30 peticiones: 10 / 10 / 10 entre 3 réplicas."
    assert chart.value.count("<rect") >= 3
    assert "web-1 (v1)" in chart.value and version_colour(1) in chart.value
    assert "reparto igual: 10" in chart.value


def test_counts_from_probe_replies_with_failures_last():
    replies = [
        Reply(True, 200, "web v1 aaa", replica="web-1"),
        Reply(True, 200, "web v2 bbb", replica="web-2"),
        Reply(True, 200, "web v2 bbb", replica="web-2"),
        Reply(False, None, replica="web-3", error="conexión rechazada"),
    ]
    chart = TrafficChart(replies)
    assert list(chart.counts) == ["web-1", "web-2", "fallidas"]
    assert chart.counts["fallidas"] == 1
    assert chart.versions == {"web-1": 1, "web-2": 2}
    assert "1 fallidas" in chart.summary()
    assert OKABE_ITO["vermillion"] in chart.value and "✗ fallidas" in chart.value


def test_empty_chart_says_so():
    chart = TrafficChart({})
    assert chart.counts == {} and "Todavía no hay" in chart.value


def test_two_charts_do_not_share_svg_ids():
    a, b = TrafficChart([Reply(False, None)]), TrafficChart([Reply(False, None)])
    assert a._hatch != b._hatch and a._hatch in a.value


def test_the_chart_holds_only_what_it_draws():
    chart = TrafficChart({"web-1": 3})
    assert chart.counts == {"web-1": 3}
    chart.counts["web-1"] = 99  # a copy: the drawing cannot drift from its data
    assert chart.counts == {"web-1": 3}
