"""Load against replicas over time (lesson 06), and the load slider that drives an autoscaler.

``LoadChart`` draws, on one time axis, the load a service receives (requests per second) and the
capacity its replicas give (replicas × the per-replica target), so a student sees whether capacity
follows load and how the stabilization window keeps replicas up after a spike. The replica count is
also written on every step and in a table: colour is never the only signal.

``LoadSlider`` is only a control: moving it calls the function the notebook hands it (the
student's autoscaler step). It holds no policy of its own and changes nothing by being built, so a
notebook that builds it stays harmless under papermill and nbgrader.

>>> chart = LoadChart([(0, 100, 2), (15, 250, 5)], target=50)
>>> "5 réplicas" in chart.value
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import ipywidgets as widgets

from .palette import OKABE_ITO
from .timeline import nice_step

LOAD_COLOUR = OKABE_ITO["blue"]
CAPACITY_COLOUR = OKABE_ITO["orange"]
GRID_COLOUR = "#DDDDDD"


@dataclass(frozen=True)
class Sample:
    """One point of the history: at ``t`` seconds, ``load`` requests/s served by ``replicas``."""

    t: float
    load: float
    replicas: int


def as_sample(item) -> Sample:
    """A :class:`Sample` from a tuple ``(t, load, replicas)`` or a mapping.

    Mappings may use the notebook's Spanish keys (``t``, ``carga``, ``replicas``) or English ones.

    >>> as_sample({"t": 15, "carga": 120, "replicas": 3})
    Sample(t=15.0, load=120.0, replicas=3)
    """
    if isinstance(item, Sample):
        return item
    if isinstance(item, Mapping):
        t = item.get("t", item.get("tiempo", 0))
        load = item.get("carga", item.get("load", 0))
        replicas = item.get("replicas", item.get("réplicas", 0))
    else:
        t, load, replicas = item
    return Sample(float(t), float(load), int(replicas))


def _fmt(value: float) -> str:
    return f"{value:g}"


class LoadChart(widgets.HTML):
    """An SVG chart (a ``widgets.HTML``) of load and replica capacity over time.

    Args:
        samples: the history, oldest first (see :func:`as_sample`).
        target: the load one replica should carry (the autoscaler's target); with it the chart
            draws capacity = replicas × target on the load axis. Without it, replicas get their
            own scale.
        title: the caption above the chart.
    """

    def __init__(self, samples: Iterable = (), target: float | None = None,
                 title: str = "Carga y réplicas en el tiempo", width: int = 640,
                 height: int = 260, **kwargs):
        super().__init__(**kwargs)
        self.title = title
        self.chart_width = width
        self.chart_height = height
        self.target = target
        self.samples: list[Sample] = []
        self.update(samples)

    def update(self, samples: Iterable, target: float | None = None) -> None:
        """Redraw with ``samples`` (the whole history, not a delta)."""
        if target is not None:
            self.target = target
        self.samples = [as_sample(s) for s in samples]
        self.value = self.render()

    # -- drawing ------------------------------------------------------------------------------
    def render(self) -> str:
        """The HTML of the chart: caption, SVG and a text table of the same values."""
        caption = f"<div style='font-weight:bold'>{html.escape(self.title)}</div>"
        if not self.samples:
            return caption + ("<div>Todavía no hay muestras: mueve la carga o ejecuta la "
                              "celda.</div>")
        return caption + self._svg() + self._summary() + self._table()

    def _scales(self):
        left, right, top, bottom = 50, 50, 20, 40
        plot_w = self.chart_width - left - right
        plot_h = self.chart_height - top - bottom
        t0, t1 = self.samples[0].t, self.samples[-1].t
        span_t = (t1 - t0) or 1.0
        max_load = max(s.load for s in self.samples)
        max_rep = max(s.replicas for s in self.samples) or 1
        if self.target:
            top_value = max(max_load, max_rep * self.target) or 1.0
        else:
            top_value = max_load or 1.0

        def x(t):
            return left + (t - t0) / span_t * plot_w

        def y_load(v):
            return top + plot_h - v / top_value * plot_h

        def y_rep(r):
            if self.target:
                return y_load(r * self.target)
            return top + plot_h - r / max_rep * plot_h

        return x, y_load, y_rep, (left, top, plot_w, plot_h, top_value, max_rep)

    def _svg(self) -> str:
        x, y_load, y_rep, (left, top, plot_w, plot_h, top_value, max_rep) = self._scales()
        parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.chart_width}' "
                 f"height='{self.chart_height}' role='img' aria-label='{html.escape(self.title)}' "
                 "style='font-family:sans-serif;font-size:11px'>"]
        for i in range(5):  # horizontal grid with load values
            value = top_value * i / 4
            yy = y_load(value)
            parts.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{yy:.1f}' y2='{yy:.1f}' "
                         f"stroke='{GRID_COLOUR}'/>")
            parts.append(f"<text x='{left - 4}' y='{yy + 4:.1f}' text-anchor='end'>"
                         f"{_fmt(round(value))}</text>")
        parts.append(f"<text x='{left + plot_w / 2}' y='{self.chart_height - 5}' "
                     "text-anchor='middle'>tiempo (s)</text>")
        parts.append(f"<text x='4' y='{top - 6}'>pet./s</text>")
        t0, t1 = self.samples[0].t, self.samples[-1].t
        step = nice_step(t1 - t0)
        tick = math.ceil(t0 / step) * step
        while tick <= t1 + 1e-9:  # round times along the axis, as the rollout timeline does
            parts.append(f"<line x1='{x(tick):.1f}' x2='{x(tick):.1f}' y1='{top + plot_h}' "
                         f"y2='{top + plot_h + 4}' stroke='#333'/>"
                         f"<text x='{x(tick):.1f}' y='{top + plot_h + 14}' text-anchor='middle'>"
                         f"{_fmt(round(tick, 3))}</text>")
            tick += step
        # replicas (or capacity): a step line, with the count written at each change
        step = []
        for i, s in enumerate(self.samples):
            if i:
                step.append(f"{x(s.t):.1f},{y_rep(self.samples[i - 1].replicas):.1f}")
            step.append(f"{x(s.t):.1f},{y_rep(s.replicas):.1f}")
        parts.append(f"<polyline fill='none' stroke='{CAPACITY_COLOUR}' stroke-width='3' "
                     f"points='{' '.join(step)}'/>")
        previous = None
        for s in self.samples:
            if s.replicas != previous:
                parts.append(f"<text x='{x(s.t) + 2:.1f}' y='{y_rep(s.replicas) - 4:.1f}' "
                             f"fill='{CAPACITY_COLOUR}' font-weight='bold'>{s.replicas}</text>")
                previous = s.replicas
        # load: a dashed line with dots, a different shape as well as a different colour
        points = " ".join(f"{x(s.t):.1f},{y_load(s.load):.1f}" for s in self.samples)
        parts.append(f"<polyline fill='none' stroke='{LOAD_COLOUR}' stroke-width='2' "
                     f"stroke-dasharray='6 3' points='{points}'/>")
        for s in self.samples:
            parts.append(f"<circle cx='{x(s.t):.1f}' cy='{y_load(s.load):.1f}' r='2.5' "
                         f"fill='{LOAD_COLOUR}'/>")
        # legend
        what = (f"capacidad = réplicas × {_fmt(self.target)}" if self.target
                else f"réplicas (escala propia, máx. {max_rep})")
        lx = left + plot_w - 230
        parts.append(f"<line x1='{lx}' x2='{lx + 20}' y1='{top}' y2='{top}' "
                     f"stroke='{LOAD_COLOUR}' stroke-width='2' stroke-dasharray='6 3'/>")
        parts.append(f"<text x='{lx + 24}' y='{top + 4}'>carga (pet./s)</text>")
        parts.append(f"<line x1='{lx}' x2='{lx + 20}' y1='{top + 14}' y2='{top + 14}' "
                     f"stroke='{CAPACITY_COLOUR}' stroke-width='3'/>")
        parts.append(f"<text x='{lx + 24}' y='{top + 18}'>{html.escape(what)}</text>")
        parts.append("</svg>")
        return "".join(parts)

    def _summary(self) -> str:
        last = self.samples[-1]
        peak = max(self.samples, key=lambda s: s.replicas)
        return (f"<div>Ahora (t = {_fmt(last.t)} s): carga {_fmt(last.load)} pet./s, "
                f"{last.replicas} réplicas. Máximo: {peak.replicas} réplicas "
                f"(t = {_fmt(peak.t)} s).</div>")

    def _table(self) -> str:
        rows = "".join(f"<tr><td>{_fmt(s.t)}</td><td>{_fmt(s.load)}</td><td>{s.replicas}</td></tr>"
                       for s in self.samples)
        return ("<details><summary>Valores en texto</summary>"
                "<table style='font-size:11px'><tr><th>t (s)</th><th>carga (pet./s)</th>"
                f"<th>réplicas</th></tr>{rows}</table></details>")


class LoadSlider(widgets.VBox):
    """A load slider: moving it calls ``on_change(load)`` and shows what that returned.

    ``on_change`` is the notebook's function (for instance one step of the student's autoscaler).
    It may return a short text for the status line; an exception is shown there, in Spanish,
    instead of escaping into the widget's log.

    >>> seen = []
    >>> control = LoadSlider(lambda load: seen.append(load) or f"carga {load}", value=100)
    >>> control.slider.value = 300
    >>> seen, control.status.value
    ([300], 'carga 300')
    """

    def __init__(self, on_change: Callable[[int], object], value: int = 100, minimum: int = 0,
                 maximum: int = 600, step: int = 10, description: str = "Carga (pet./s)"):
        self.on_change = on_change
        self.slider = widgets.IntSlider(value=value, min=minimum, max=maximum, step=step,
                                        description=description, continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=widgets.Layout(width="480px"))
        self.status = widgets.HTML("Mueve la carga para que el autoescalador actúe.")
        super().__init__([self.slider, self.status])
        self.slider.observe(self._changed, names="value")

    def _changed(self, change) -> None:
        try:
            result = self.on_change(change["new"])
        except Exception as error:  # shown to the student, never raised into the front end
            self.status.value = html.escape(
                f"Error al aplicar la carga {change['new']}: {type(error).__name__}: {error}")
            return
        self.status.value = "" if result is None else html.escape(str(result))
