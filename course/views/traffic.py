"""Traffic distribution: how many requests each replica answered, as bars a student can read.

The chart is drawn once from data the lab or the probe produced (a count per replica, or the
probe's replies) and holds nothing else: building it sends no request and touches no container.
Colour says the version each replica runs (Okabe–Ito); the numbers are written next to each bar
and again in a sentence, so nothing depends on telling colours apart.

>>> chart = TrafficChart({"web-1": 10, "web-2": 10, "web-3": 10})
>>> chart.counts
{'web-1': 10, 'web-2': 10, 'web-3': 10}
>>> "10 / 10 / 10" in chart.value
True
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape

import ipywidgets as widgets

from .palette import OKABE_ITO, version_colour

FAILED = "fallidas"
BAR_H, GAP, LABEL_W, BAR_W, RIGHT_W = 26, 8, 170, 360, 80
_ids = itertools.count()


def count_replies(replies: Iterable) -> tuple[dict[str, int], dict[str, int | None]]:
    """``(counts, versions)`` from probe replies (objects with ``ok``, ``replica``, ``version``).

    Failed replies are counted under ``"fallidas"``, whoever they were sent to.
    """
    counts: Counter = Counter()
    versions: dict[str, int | None] = {}
    for reply in replies:
        if getattr(reply, "ok", False):
            name = reply.replica or "?"
            counts[name] += 1
            versions.setdefault(name, getattr(reply, "version", None))
        else:
            counts[FAILED] += 1
    return dict(counts), versions


class TrafficChart(widgets.HTML):
    """Bars: requests per replica, coloured by version, failed requests in their own bar.

    Args:
        data: ``{replica: count}`` or an iterable of probe replies (``lab.http_get(...)``).
        versions: ``{replica: version}`` to colour the bars (taken from the replies if given).
        title: the chart's heading.
        expected: the count each replica should get if the load were even (drawn as a line).
    """

    def __init__(self, data, versions: Mapping[str, int | None] | None = None,
                 title: str = "Peticiones por réplica", expected: float | None = None, **kwargs):
        if isinstance(data, Mapping):
            counts, found = {str(k): int(v) for k, v in data.items()}, {}
        else:
            counts, found = count_replies(data)
        merged = {**found, **(versions or {})}
        self._counts = dict(sorted(counts.items(), key=lambda kv: (kv[0] == FAILED, kv[0])))
        self._versions = {name: merged.get(name) for name in self._counts if name != FAILED}
        self._title = title
        self._expected = expected
        self._hatch = f"hatch-{next(_ids)}"
        super().__init__(value=self._render(), **kwargs)

    @property
    def counts(self) -> dict[str, int]:
        """What is drawn: requests per replica (``"fallidas"`` last, when there were any)."""
        return dict(self._counts)

    @property
    def versions(self) -> dict[str, int | None]:
        return dict(self._versions)

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def summary(self) -> str:
        """The chart as one Spanish sentence (also written under the bars)."""
        if not self._counts:
            return "Todavía no hay peticiones que contar."
        served = [n for name, n in self._counts.items() if name != FAILED]
        failed = self._counts.get(FAILED, 0)
        text = (f"{self.total} peticiones: {' / '.join(map(str, served))} entre "
                f"{len(served)} réplicas")
        if failed:
            text += f"; {failed} fallidas"
        return text + "."

    # -- drawing ----------------------------------------------------------------------------
    def _render(self) -> str:
        heading = f"<div style='font-weight:bold;margin-bottom:4px'>{escape(self._title)}</div>"
        if not self._counts:
            return heading + f"<div>{escape(self.summary())}</div>"
        top = max(max(self._counts.values()), self._expected or 0, 1)
        rows = []
        for i, (name, n) in enumerate(self._counts.items()):
            y = i * (BAR_H + GAP)
            width = BAR_W * n / top
            if name == FAILED:
                colour, label = OKABE_ITO["vermillion"], "✗ fallidas"
                pattern = f"url(#{self._hatch})"
            else:
                version = self._versions.get(name)
                colour = version_colour(version)
                label = name if version is None else f"{name} (v{version})"
                pattern = colour
            rows.append(
                f"<text x='{LABEL_W - 6}' y='{y + BAR_H * 0.68:.1f}' text-anchor='end' "
                f"font-size='13'>{escape(label)}</text>"
                f"<rect x='{LABEL_W}' y='{y}' width='{width:.1f}' height='{BAR_H}' "
                f"fill='{pattern}' "
                f"stroke='{colour}' stroke-width='1.5'><title>{escape(label)}: {n}</title></rect>"
                f"<text x='{LABEL_W + width + 6:.1f}' y='{y + BAR_H * 0.68:.1f}' font-size='13' "
                f"font-weight='bold'>{n}</text>"
            )
        height = len(self._counts) * (BAR_H + GAP)
        if self._expected:
            x = LABEL_W + BAR_W * self._expected / top
            rows.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='-4' y2='{height - GAP + 4}' "
                f"stroke='{OKABE_ITO['black']}' stroke-dasharray='4 3'/>"
                f"<text x='{x:.1f}' y='{height + 10}' font-size='11' text-anchor='middle'>"
                f"reparto igual: {self._expected:g}</text>"
            )
        hatch = (
            f"<defs><pattern id='{self._hatch}' width='6' height='6' patternUnits='userSpaceOnUse' "
            "patternTransform='rotate(45)'><rect width='6' height='6' fill='white'/>"
            f"<line x1='0' y1='0' x2='0' y2='6' stroke='{OKABE_ITO['vermillion']}' "
            "stroke-width='3'/></pattern></defs>"
        )
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{LABEL_W + BAR_W + RIGHT_W}' "
            f"height='{height + 24}' role='img' aria-label='{escape(self.summary())}' "
            f"style='font-family:sans-serif'>{hatch}<g transform='translate(0,6)'>"
            f"{''.join(rows)}</g></svg>"
        )
        return heading + svg + f"<div style='margin-top:4px'>{escape(self.summary())}</div>"
