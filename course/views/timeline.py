"""Rollout timeline: which version answered each probe request over time, and which ones failed.

One lane per update strategy (for instance the manual update of notebook 00 next to a rolling
update), each lane one row per version plus a row of failed requests, on a shared time axis that
starts at each lane's first request. Stretches without service are shaded. It is drawn once from
samples the probe produced (``(time, reply)`` pairs) and holds nothing else: building it sends no
request and touches no container. Versions are coloured (Okabe–Ito) *and* named; failures are
marked ✗ in vermillion and counted in a sentence under the chart.

>>> t = RolloutTimeline({"manual": [(0.0, 1), (0.5, None), (1.0, 2)]})
>>> t.lanes["manual"].failed, t.lanes["manual"].versions
(1, [1, 2])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

import ipywidgets as widgets

from .palette import OKABE_ITO, version_colour

ROW_H, LANE_GAP, LABEL_W, PLOT_W, RIGHT_W, AXIS_H = 18, 26, 90, 560, 20, 26
EVENT_CHAR_W = 6  # px per character of a 10 px event label: close events keep their line, not text
_ids = itertools.count()


@dataclass(frozen=True)
class Lane:
    """One series of probe samples.

    ``points`` are ``(seconds since the first request, version)``, ``None`` for a failed request;
    ``outages`` the ``(start, end)`` stretches without service."""

    label: str
    points: list[tuple[float, int | None]]
    outages: list[tuple[float, float]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.points)

    @property
    def failed(self) -> int:
        return sum(1 for _, v in self.points if v is None)

    @property
    def versions(self) -> list[int]:
        return sorted({v for _, v in self.points if v is not None})

    @property
    def downtime(self) -> float:
        return sum(end - start for start, end in self.outages)

    @property
    def duration(self) -> float:
        return self.points[-1][0] if self.points else 0.0

    def summary(self) -> str:
        if not self.points:
            return f"{self.label}: sin peticiones."
        pct = 100 * self.failed / self.requests
        spans = []
        for version in self.versions:
            times = [t for t, v in self.points if v == version]
            spans.append(f"v{version} de {times[0]:.1f} s a {times[-1]:.1f} s")
        text = (f"{self.label}: {self.requests} peticiones en {self.duration:.1f} s, "
                f"{self.failed} fallidas ({pct:.0f} %)")
        if self.failed:
            text += f", sin servicio ≈ {self.downtime:.1f} s"
        else:
            text += ", cero downtime"
        return text + ("; respondió " + ", ".join(spans) if spans else "") + "."


def _sample(item) -> tuple[float, int | None]:
    """``(t, reply)`` with a probe reply, or ``(t, version or None)``."""
    t, what = item
    if hasattr(what, "ok"):
        return float(t), (what.version if what.ok else None)
    return float(t), (None if what is None else int(what))


def make_lane(label: str, samples: Iterable) -> Lane:
    """A :class:`Lane` from ``(time, reply)`` or ``(time, version|None)`` samples."""
    raw = sorted(_sample(s) for s in samples)
    if not raw:
        return Lane(label, [])
    t0 = raw[0][0]
    points = [(round(t - t0, 3), v) for t, v in raw]
    outages, start = [], None
    for t, v in points:
        if v is None and start is None:
            start = t
        elif v is not None and start is not None:
            outages.append((start, t))
            start = None
    if start is not None:
        outages.append((start, points[-1][0]))
    return Lane(label, points, outages)


class RolloutTimeline(widgets.HTML):
    """Versions answering over time, failed requests marked, one lane per series.

    Args:
        series: ``{label: samples}``; samples are ``(time, reply)`` from ``lab.http_get`` or
            ``(time, version)`` with ``None`` for a failed request. Times in seconds.
        events: ``{label: [(time, text), ...]}`` drawn as labelled ticks (``"v2 sana"``...).
        title: the heading.
    """

    def __init__(self, series: Mapping[str, Iterable], events: Mapping[str, list] | None = None,
                 title: str = "Línea de tiempo del despliegue", **kwargs):
        self._lanes = {label: make_lane(label, samples) for label, samples in series.items()}
        self._events = {}
        for label, items in (events or {}).items():
            first = self._first_time(series, label)
            self._events[label] = [(round(float(t) - first, 3), str(text)) for t, text in items]
        self._title = title
        self._uid = next(_ids)
        super().__init__(value=self._render(), **kwargs)

    @staticmethod
    def _first_time(series, label) -> float:
        samples = list(series.get(label, []))
        return min((_sample(s)[0] for s in samples), default=0.0)

    @property
    def lanes(self) -> dict[str, Lane]:
        return dict(self._lanes)

    @property
    def events(self) -> dict[str, list[tuple[float, str]]]:
        return {k: list(v) for k, v in self._events.items()}

    def summary(self) -> str:
        return " ".join(lane.summary() for lane in self._lanes.values())

    # -- drawing ----------------------------------------------------------------------------
    def _render(self) -> str:
        heading = f"<div style='font-weight:bold;margin-bottom:4px'>{escape(self._title)}</div>"
        span = max([lane.duration for lane in self._lanes.values()] + [1.0])
        x = lambda t: LABEL_W + PLOT_W * t / span  # noqa: E731
        parts, y = [], 0
        for lane in self._lanes.values():
            rows = [*lane.versions, None]
            height = ROW_H * len(rows)
            parts.append(f"<text x='0' y='{y - 6}' font-size='13' font-weight='bold'>"
                         f"{escape(lane.label)}</text>")
            for start, end in lane.outages:
                parts.append(
                    f"<rect x='{x(start):.1f}' y='{y}' width='{max(x(end) - x(start), 2):.1f}' "
                    f"height='{height}' fill='{OKABE_ITO['vermillion']}' fill-opacity='0.15'>"
                    f"<title>sin servicio de {start:.1f} s a {end:.1f} s</title></rect>")
            for r, version in enumerate(rows):
                cy = y + ROW_H * r + ROW_H / 2
                name = "✗ fallo" if version is None else f"v{version}"
                parts.append(f"<text x='{LABEL_W - 8}' y='{cy + 4:.1f}' font-size='12' "
                             f"text-anchor='end'>{name}</text>"
                             f"<line x1='{LABEL_W}' x2='{LABEL_W + PLOT_W}' y1='{cy:.1f}' "
                             f"y2='{cy:.1f}' stroke='#dddddd'/>")
            for t, version in lane.points:
                r = rows.index(version)
                cy = y + ROW_H * r + ROW_H / 2
                if version is None:
                    parts.append(f"<text x='{x(t):.1f}' y='{cy + 5:.1f}' font-size='14' "
                                 f"text-anchor='middle' fill='{OKABE_ITO['vermillion']}'>✗"
                                 f"<title>{t:.2f} s: fallo</title></text>")
                else:
                    parts.append(f"<circle cx='{x(t):.1f}' cy='{cy:.1f}' r='4' "
                                 f"fill='{version_colour(version)}' stroke='#333' "
                                 f"stroke-width='0.5'><title>{t:.2f} s: v{version}</title>"
                                 "</circle>")
            free_from = -1.0  # where the last written label ends: labels never overlap
            for t, text in self._events.get(lane.label, []):
                parts.append(f"<line x1='{x(t):.1f}' x2='{x(t):.1f}' y1='{y}' y2='{y + height}' "
                             f"stroke='{OKABE_ITO['black']}' stroke-dasharray='3 3'>"
                             f"<title>{t:.2f} s: {escape(text)}</title></line>")
                if x(t) + 3 >= free_from:
                    parts.append(f"<text x='{x(t) + 3:.1f}' y='{y + height + 11}' "
                                 f"font-size='10'>{escape(text)}</text>")
                    free_from = x(t) + 3 + EVENT_CHAR_W * len(text) + 4
            y += height + LANE_GAP + 12
        ticks = []
        step = nice_step(span)
        t = 0.0
        while t <= span + 1e-9:
            ticks.append(f"<line x1='{x(t):.1f}' x2='{x(t):.1f}' y1='{y - 12}' y2='{y - 6}' "
                         f"stroke='#333'/><text x='{x(t):.1f}' y='{y + 6}' font-size='11' "
                         f"text-anchor='middle'>{t:g} s</text>")
            t += step
        svg = (f"<svg xmlns='http://www.w3.org/2000/svg' id='timeline-{self._uid}' "
               f"width='{LABEL_W + PLOT_W + RIGHT_W}' height='{y + AXIS_H}' role='img' "
               f"aria-label='{escape(self.summary())}' style='font-family:sans-serif'>"
               f"<g transform='translate(0,18)'>{''.join(parts)}{''.join(ticks)}</g></svg>")
        lines = "".join(f"<li>{escape(lane.summary())}</li>" for lane in self._lanes.values())
        return heading + svg + f"<ul style='margin-top:4px'>{lines}</ul>"


def nice_step(span: float) -> float:
    """A round tick step that puts at most ten ticks on a time axis of ``span`` seconds.

    >>> nice_step(1.47), nice_step(45), nice_step(690)
    (0.5, 5, 120)
    """
    for step in (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300):
        if span / step <= 10:
            return step
    return span / 10
