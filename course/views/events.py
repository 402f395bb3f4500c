"""The event log: what the engine says happened to the lab's containers, newest last.

Why: a reconcile loop is invisible unless you see its trace (``kill``, ``die``, ``destroy``,
``create``, ``start``...). The log asks the engine (``client.events(since, until)``, the same
stream ``docker events`` prints), keeps only the lab's events (its label) and writes them as a
table in Spanish. It holds nothing but its last reading; :meth:`EventLog.refresh` reads again.

On the simulator, which does not serve ``/events`` over its API, the log reads the simulated
engine's own append-only log (``lab.engine.events``), which has the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import docker
import ipywidgets as widgets

from .palette import OKABE_ITO

ACTION_WORDS = {
    "create": "creado", "start": "arrancado", "restart": "reiniciado", "kill": "matado",
    "die": "terminado", "stop": "parado", "destroy": "borrado", "pause": "pausado",
    "unpause": "reanudado", "rename": "renombrado", "update": "actualizado",
    "health_status: healthy": "sano", "health_status: unhealthy": "no sano",
    "health_status: starting": "arrancando", "connect": "conectado", "disconnect": "desconectado",
    "remove": "borrado", "oom": "sin memoria",
}
IGNORED = ("exec_create", "exec_start", "exec_die", "attach", "resize", "top", "archive-path",
           "extract-to-dir", "commit", "export")
ALARMS = ("kill", "die", "oom", "health_status: unhealthy")
NODE_WORDS = {"down": "caído (sin contacto)", "ready": "listo otra vez"}


@dataclass(frozen=True)
class Event:
    """One engine event of the lab."""

    time: float  # seconds on the engine's clock
    kind: str  # container, network, volume, service, node...
    action: str  # the engine's word: create, start, kill, die...
    name: str  # the object's name without the lab's prefix (or its short id)
    exit_code: str | None = None
    node_state: str | None = None  # a node update's new state (``state.new``): down, ready

    @property
    def words(self) -> str:
        if self.node_state in NODE_WORDS:
            return NODE_WORDS[self.node_state]
        text = ACTION_WORDS.get(self.action, self.action)
        if self.action == "die" and self.exit_code is not None:
            text += f" (código {self.exit_code})"
        return text

    @property
    def alarm(self) -> bool:
        return self.action in ALARMS or self.node_state == "down"


def _short(lab, name: str) -> str:
    prefix = f"{lab.namespace}-"
    return name[len(prefix):] if name.startswith(prefix) else name


def to_event(lab, raw: dict, app: str | None = None) -> Event | None:
    """An :class:`Event` from one engine event dict, or ``None`` when it is noise or not ours
    (another lab's, or, with ``app``, another app's: the engine copies a container's labels into
    its events' attributes)."""
    actor = raw.get("Actor") or {}
    attributes = actor.get("Attributes") or {}
    if attributes.get("course.lab") not in (None, lab.namespace):
        return None
    if app is not None and raw.get("Type") != "node" and attributes.get("app") != app:
        return None
    action = raw.get("Action") or raw.get("status") or ""
    if action.split(":")[0].strip() in IGNORED:
        return None
    when = raw.get("timeNano")
    when = when / 1e9 if when else float(raw.get("time") or 0)
    name = attributes.get("name") or (actor.get("ID") or "")[:12]
    return Event(time=when, kind=raw.get("Type", ""), action=action, name=_short(lab, name),
                 exit_code=attributes.get("exitCode"), node_state=attributes.get("state.new"))


def read_events(lab, since: float, app: str | None = None) -> list[Event]:
    """The lab's events (only ``app``'s, if given) from ``since`` (engine clock, seconds) until
    now, oldest first.

    On a real engine: ``client.events(since, until, filters=<the lab's label>)``. On the
    simulator: the simulated engine's own log, which is the same stream (it does not serve
    ``/events`` over the API); there node events, which carry no labels, are kept too.
    """
    raws = lab.runtime.raw_events(lab.namespace, since)
    events = [to_event(lab, raw, app) for raw in raws]
    return sorted((e for e in events if e is not None), key=lambda e: e.time)


# Left-aligned and padded like the cells below them (JupyterLab centres bare <th>).
_HEADS = "".join(f"<th style='text-align:{align};padding-right:8px'>{word}</th>" for word, align in
                 (("t", "right"), ("tipo", "left"), ("objeto", "left"), ("qué pasó", "left")))


class EventLog(widgets.HTML):
    """A table of the lab's last ``limit`` events, newest at the bottom.

    Args:
        lab: the :class:`course.Lab` to read.
        since: engine-clock seconds to start from (default: when the log is built, minus
            ``lookback``; on the simulator, the start of time).
        limit: how many rows to show.
        title: heading drawn above the table.
        app: only the events of what carries the label ``app=<app>`` (and of nodes), as
            :class:`ClusterGrid` shows only that app.
    """

    def __init__(self, lab, since: float | None = None, limit: int = 15,
                 title: str = "Registro de eventos", lookback: float = 600.0,
                 app: str | None = None, **kwargs):
        self.lab, self.limit, self.title, self.app = lab, limit, title, app
        if since is None:
            since = lab.runtime.events_start(lookback)
        self.since = since
        self._events: list[Event] = []
        super().__init__(**kwargs)
        self.refresh()

    @property
    def events(self) -> list[Event]:
        """Every event the log last read (a copy), oldest first."""
        return list(self._events)

    def actions(self, name: str | None = None) -> list[str]:
        """The engine's action words, in order, for one object (or all)."""
        return [e.action for e in self._events if name is None or e.name == name]

    def refresh(self) -> EventLog:
        try:
            self._events = read_events(self.lab, self.since, self.app)
            self.value = self._render()
        except docker.errors.DockerException as error:
            self._events = []
            self.value = (f"<div style='color:{OKABE_ITO['vermillion']}'>No se pudieron leer "
                          f"los eventos: {escape(str(error))}</div>")
        return self

    def _render(self) -> str:
        head = f"<div style='font-weight:bold;margin-bottom:4px'>{escape(self.title)}</div>"
        if not self._events:
            return head + "<div class='course-events'>Todavía no hay eventos.</div>"
        origin = self._events[0].time
        rows = []
        for event in self._events[-self.limit:]:
            alarm = event.alarm
            style = f" style='color:{OKABE_ITO['vermillion']};font-weight:bold'" if alarm else ""
            mark = "⚠ " if alarm else ""
            rows.append(
                f"<tr class='course-event'{style}><td style='text-align:right;padding-right:8px'>"
                f"+{event.time - origin:.1f} s</td><td style='padding-right:8px'>"
                f"{escape(event.kind)}</td><td style='padding-right:8px'>{escape(event.name)}</td>"
                f"<td>{mark}{escape(event.words)}</td></tr>")
        hidden = len(self._events) - len(rows)
        more = f"<div style='color:#666'>(y {hidden} eventos anteriores)</div>" if hidden else ""
        return (head + more + "<table class='course-events' style='font-family:monospace;"
                "font-size:12px;border-collapse:collapse'><tr>" + _HEADS + "</tr>"
                + "".join(rows) + "</table>")
