"""RolloutTimeline: widget state without a browser."""

from __future__ import annotations

from course.probe import Reply
from course.views import RolloutTimeline
from course.views.palette import OKABE_ITO, version_colour
from course.views.timeline import make_lane


def test_lane_from_versions_finds_outages_and_downtime():
    lane = make_lane("manual", [(10.0, 1), (10.5, None), (11.0, None), (11.5, 2), (12.0, None)])
    assert lane.points[0] == (0.0, 1)
    assert lane.requests == 5 and lane.failed == 3
    assert lane.versions == [1, 2]
    assert lane.outages == [(0.5, 1.5), (2.0, 2.0)]
    assert lane.downtime == 1.0
    assert "3 fallidas" in lane.summary() and "sin servicio ≈ 1.0 s" in lane.summary()


def test_lane_from_probe_replies():
    samples = [(0, Reply(True, 200, "web v1 a", "w1")), (1, Reply(True, 200, "web v2 b", "w1")),
               (2, Reply(False, None, replica="w1"))]
    lane = make_lane("x", samples)
    assert [v for _, v in lane.points] == [1, 2, None]


def test_two_lanes_side_by_side_with_events():
    manual = [(t, 1 if t < 2 else (None if t < 4 else 2)) for t in range(8)]
    rolling = [(100 + t, 1 if t < 3 else 2) for t in range(8)]
    view = RolloutTimeline({"Manual": manual, "Rolling update": rolling},
                           events={"Rolling update": [(103, "v2 sana")]})
    assert view.lanes["Manual"].failed == 2
    assert view.lanes["Rolling update"].failed == 0
    assert view.events == {"Rolling update": [(3.0, "v2 sana")]}
    assert "cero downtime" in view.summary()
    assert "sin servicio" in view.summary()
    html = view.value
    assert html.count("✗") >= 2 + 1  # two failures plus the row label
    assert version_colour(1) in html and version_colour(2) in html
    assert OKABE_ITO["vermillion"] in html and "v2 sana" in html


def test_close_events_keep_their_lines_but_labels_never_overlap():
    """Five events within a tenth of the axis: five dashed lines, labels only where they fit,
    and every label still readable on its line's tooltip."""
    series = [(t / 10, 1) for t in range(100)]
    events = [(1.0 + i * 0.05, f"{3 - i % 3}/3") for i in range(5)] + [(8.0, "fin")]
    html = RolloutTimeline({"A mano": series}, events={"A mano": events}).value
    assert html.count("stroke-dasharray='3 3'") == 6
    written = [text for _, text in events if f"font-size='10'>{text}</text>" in html]
    assert written[0] == "3/3" and written[-1] == "fin" and len(written) < 6
    assert all(f"s: {text}</title>" in html for _, text in events)


def test_empty_series():
    view = RolloutTimeline({"vacía": []})
    assert view.lanes["vacía"].requests == 0
    assert "sin peticiones" in view.value
