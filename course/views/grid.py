"""The live cluster grid, in the style of docker-swarm-visualizer: a column per node, a card per
container or task.

Why a grid: a student watching a reconcile loop or a node failure needs to *see* where each
replica runs, which version it is and what state it is in, at a glance. Like the visualizer
(``dockersamples/docker-swarm-visualizer``), the grid reads the engine and draws what it finds:

* On a plain engine there is one column, ``este motor``, holding the lab's containers.
* In Swarm mode there is one column per node (``client.nodes.list()``), holding the tasks of the
  lab's services that are not finished (as the visualizer, terminated tasks are hidden), plus the
  lab's standalone containers in the column of the node the client talks to. A node that is down
  is drawn as such, with its tasks still listed until the orchestrator moves them.

The card's fill is the image version (Okabe–Ito), its border and its text say the state in
Spanish, so colour is never the only signal. The grid holds only its last reading of the lab
(``columns``): :meth:`ClusterGrid.refresh` reads again. Building it only reads.

>>> from course import Lab
>>> with Lab(backend="sim", quiet=True) as lab:                    # doctest: +SKIP
...     grid = ClusterGrid(lab)
...     grid.columns[0].name
'este motor'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

import docker
import ipywidgets as widgets

from .palette import OKABE_ITO, state_style, version_colour

ENGINE_COLUMN = "este motor"
_VERSION = re.compile(r":(?P<v>\d+)(?:@|$)")

# Swarm task states the shared palette does not name (what a student reads, in Spanish).
TASK_WORDS = {
    "new": "nueva", "pending": "pendiente", "assigned": "asignada", "accepted": "aceptada",
    "preparing": "preparando", "ready": "lista", "starting": "arrancando",
    "complete": "completada", "rejected": "rechazada", "orphaned": "huérfana",
    "remove": "borrándose", "paused": "en pausa", "removing": "borrándose",
}
HEALTH_WORDS = {"healthy": "sano", "unhealthy": "no sano", "starting": "arrancando"}
FINISHED = {"shutdown", "complete", "failed", "rejected", "orphaned", "remove"}


def image_version(image: str | None) -> int | None:
    """The lab image version in a reference (``course/web:2`` or ``...:2@sha256:...``).

    >>> image_version("course/web:2"), image_version("course/web:3@sha256:ab"), image_version("x")
    (2, 3, None)
    """
    match = _VERSION.search(image or "")
    return int(match["v"]) if match else None


def state_word(state: str) -> str:
    """The Spanish word of a container or task state.

    >>> state_word("running"), state_word("pending")
    ('en marcha', 'pendiente')
    """
    colour, word = state_style(state)
    return TASK_WORDS.get(state, word) if word == state else word


@dataclass(frozen=True)
class Card:
    """One container or Swarm task as the grid draws it."""

    name: str
    image: str
    version: int | None
    state: str  # the engine's word: running, exited, pending, failed...
    health: str | None = None  # healthy, unhealthy, starting (containers with a health check)
    kind: str = "contenedor"  # or "tarea"
    ident: str = ""
    desired: str = "running"  # a task's DesiredState: shutdown while it is being stopped

    @property
    def stopping(self) -> bool:
        """A task told to stop that has not stopped yet (its container has up to the stop grace
        period, 10 s by default, to exit; the lab image exits at once): ``docker service ps``
        shows Running / Shutdown."""
        return self.desired in ("shutdown", "remove") and self.state not in FINISHED

    @property
    def words(self) -> str:
        """State (and health) in Spanish, as the card writes it."""
        text = state_word(self.state)
        if self.health and self.state == "running":
            text += f" · {HEALTH_WORDS.get(self.health, self.health)}"
        if self.stopping:
            text += " · apagándose"
        return text

    @property
    def border(self) -> str:
        if self.health and self.state == "running":
            return state_style(self.health)[0]
        colour, _ = state_style(self.state)
        if self.state in ("pending", "assigned", "accepted", "preparing", "starting", "new"):
            return OKABE_ITO["yellow"]
        return colour


@dataclass(frozen=True)
class Column:
    """One node (or the plain engine) and the cards it holds."""

    name: str
    state: str = "ready"  # ready | down | unknown
    availability: str = "active"  # active | pause | drain
    role: str = ""  # manager | worker | "" on a plain engine
    leader: bool = False
    node_id: str = ""
    cards: tuple[Card, ...] = field(default_factory=tuple)

    @property
    def down(self) -> bool:
        return self.state != "ready"


def _short(lab, name: str) -> str:
    prefix = f"{lab.namespace}-"
    return name[len(prefix):] if name.startswith(prefix) else name


def container_card(lab, container) -> Card:
    attrs = container.attrs
    image = (attrs.get("Config") or {}).get("Image") or ""
    health = ((attrs.get("State") or {}).get("Health") or {}).get("Status")
    return Card(name=_short(lab, container.name), image=image, version=image_version(image),
                state=container.status, health=health, ident=container.id)


def task_card(lab, service_name: str, task: dict) -> Card:
    spec = (task.get("Spec") or {}).get("ContainerSpec") or {}
    image = spec.get("Image", "")
    slot = task.get("Slot")
    suffix = slot if slot is not None else (task.get("NodeID") or "")[:6]
    status = task.get("Status") or {}
    return Card(name=f"{_short(lab, service_name)}.{suffix}", image=image,
                version=image_version(image), state=status.get("State", "?"),
                kind="tarea", ident=task.get("ID", ""),
                desired=task.get("DesiredState") or "running")


def in_swarm(client) -> tuple[bool, str]:
    """``(active, local node id)`` from ``client.info()``.

    A swarm the engine reports with an ``Error`` (or without a node id) does not answer node and
    service calls: the grid then shows the engine's containers, as on a plain engine.
    """
    swarm = (client.info() or {}).get("Swarm") or {}
    usable = (swarm.get("LocalNodeState") == "active" and not swarm.get("Error")
              and bool(swarm.get("NodeID")))
    return usable, swarm.get("NodeID", "")


def read_cluster(lab, app: str | None = None, finished: bool = False) -> list[Column]:
    """Read the lab's cluster: one :class:`Column` per node (or ``este motor``).

    Args:
        lab: the :class:`course.Lab` to read.
        app: only containers and services with the label ``app=<app>``.
        finished: also show finished tasks (hidden by default, as in the visualizer).
    """
    client = lab.client
    labels = {"app": app} if app else {}
    containers = client.containers.list(all=True, filters=lab.filters(**labels))
    standalone = [c for c in containers if "com.docker.swarm.task.id" not in c.labels]
    standalone.sort(key=lambda c: c.name)
    swarm, local = in_swarm(client)
    if not swarm:
        cards = tuple(container_card(lab, c) for c in standalone)
        return [Column(name=ENGINE_COLUMN, cards=cards)]

    nodes = sorted(client.nodes.list(), key=node_order)
    by_node: dict[str, list[Card]] = {n.id: [] for n in nodes}
    unplaced: list[Card] = []
    for service in sorted(client.services.list(filters=lab.filters(**labels)),
                          key=lambda s: s.name):
        tasks = sorted(service.tasks(), key=lambda t: (t.get("Slot") or 0, t.get("CreatedAt", "")))
        for task in tasks:
            state = (task.get("Status") or {}).get("State", "")
            if not finished and state in FINISHED and task.get("DesiredState") != "running":
                continue
            card = task_card(lab, service.name, task)
            by_node.setdefault(task.get("NodeID") or "", unplaced).append(card)
    if local in by_node:
        by_node[local].extend(container_card(lab, c) for c in standalone)
    else:
        unplaced.extend(container_card(lab, c) for c in standalone)

    columns = []
    for node in nodes:
        attrs = node.attrs
        spec, status = attrs.get("Spec") or {}, attrs.get("Status") or {}
        columns.append(Column(
            name=(attrs.get("Description") or {}).get("Hostname") or node.id[:10],
            state=status.get("State", "unknown"),
            availability=spec.get("Availability", "active"), role=spec.get("Role", ""),
            leader=bool((attrs.get("ManagerStatus") or {}).get("Leader")),
            node_id=node.id, cards=tuple(by_node.get(node.id, ()))))
    if unplaced:
        columns.append(Column(name="sin nodo", state="ready", cards=tuple(unplaced)))
    return columns


def node_order(node) -> tuple[str, str]:
    """Join order: creation time, then hostname (creation times can tie)."""
    attrs = node.attrs
    return attrs.get("CreatedAt", ""), (attrs.get("Description") or {}).get("Hostname", "")


def summary(columns: list[Column]) -> str:
    """The grid in one Spanish sentence: how many cards, in which states, nodes down.

    Cards on a down node are counted apart: nobody knows their state any more.
    """
    cards = [card for column in columns if not column.down for card in column.cards]
    lost = sum(len(column.cards) for column in columns if column.down)
    if not cards and not lost:
        text = "No hay contenedores ni tareas del laboratorio."
    else:
        counts: dict[str, int] = {}
        for card in cards:
            counts[card.words] = counts.get(card.words, 0) + 1
        every = cards or [c for column in columns for c in column.cards]
        what = "tareas" if all(c.kind == "tarea" for c in every) else "contenedores"
        text = f"{len(cards)} {what}: " + ", ".join(f"{n} {w}" for w, n in counts.items())
        text += f"; {lost} sin contacto en nodos caídos." if lost else "."
    down = [c.name for c in columns if c.down]
    if down:
        text += f" Nodos caídos: {', '.join(down)}."
    return text


def render(columns: list[Column], title: str = "") -> str:
    """The grid as HTML (what :attr:`ClusterGrid.value` holds)."""
    parts = []
    if title:
        parts.append(f"<div style='font-weight:bold;margin-bottom:4px'>{escape(title)}</div>")
    parts.append("<div class='course-grid' style='display:flex;gap:10px;align-items:flex-start;"
                 "font-family:sans-serif;font-size:12px'>")
    for column in columns:
        parts.append(_render_column(column))
    parts.append("</div>")
    parts.append(f"<div class='course-grid-summary' style='margin-top:4px'>"
                 f"{escape(summary(columns))}</div>")
    return "".join(parts)


def _render_column(column: Column) -> str:
    if column.down:
        head_colour, head_word = OKABE_ITO["vermillion"], "NODO CAÍDO"
        body = "background:repeating-linear-gradient(45deg,#eee,#eee 6px,#fff 6px,#fff 12px);"
    else:
        head_colour, head_word = OKABE_ITO["blue"], state_style("ready")[1] if column.role else ""
        body = "background:#f7f7f7;"
    extra = []
    if column.role:
        extra.append(column.role + (" (líder)" if column.leader else ""))
    if column.availability != "active":
        extra.append({"drain": "vaciado", "pause": "en pausa"}.get(column.availability,
                                                                   column.availability))
    detail = " · ".join([w for w in [head_word, *extra] if w])
    cards = "".join(_render_card(card, column.down) for card in column.cards) or (
        "<div style='color:#666;padding:4px'>(vacío)</div>")
    state_attr = "down" if column.down else "ready"
    return (
        f"<div class='course-node' data-node='{escape(column.name)}' data-state='{state_attr}' "
        f"style='min-width:150px;border:2px solid {head_colour};border-radius:4px;{body}'>"
        f"<div style='background:{head_colour};color:white;padding:3px 6px;font-weight:bold'>"
        f"{escape(column.name)}<div style='font-weight:normal;font-size:11px'>"
        f"{escape(detail)}</div></div>"
        f"<div style='padding:4px;display:grid;gap:4px;"
        f"grid-template-columns:repeat({card_columns(len(column.cards))},minmax(130px,auto))'>"
        f"{cards}</div></div>"
    )


def card_columns(cards: int) -> int:
    """Cards side by side in a node: one column up to four cards (as the visualizer), then
    wider, so ten replicas on one engine fit on a screen instead of a long stack.

    >>> [card_columns(n) for n in (0, 4, 5, 8, 9, 30)]
    [1, 1, 2, 2, 3, 3]
    """
    return max(1, min(3, -(-cards // 4)))


def _render_card(card: Card, lost: bool = False) -> str:
    fill = version_colour(card.version)
    words = f"{card.words} · sin contacto" if lost else card.words
    version = f"v{card.version}" if card.version is not None else (card.image or "?")
    dashed = "dashed" if card.state != "running" or card.stopping else "solid"
    return (
        f"<div class='course-card' data-name='{escape(card.name)}' "
        f"data-state='{escape(card.state)}' "
        f"title='{escape(card.image)}' "
        f"style='background:{fill};border:3px {dashed} {card.border};border-radius:4px;"
        f"padding:3px 5px;color:#000'>"
        f"<div style='font-weight:bold'>{escape(card.name)}</div>"
        f"<div>{escape(version)} · <span class='course-state'>{escape(words)}</span></div>"
        f"</div>"
    )


class ClusterGrid(widgets.HTML):
    """The live grid of a lab: one column per node, one card per container or task.

    Args:
        lab: the :class:`course.Lab` to read.
        app: show only what carries the label ``app=<app>``.
        title: heading drawn above the grid.
        finished: also show finished Swarm tasks.

    Call :meth:`refresh` to read the lab again; controls call it after acting.
    """

    def __init__(self, lab, app: str | None = None, title: str = "Clúster", finished: bool = False,
                 **kwargs):
        self.lab, self.app, self.title, self.finished = lab, app, title, finished
        self._columns: list[Column] = []
        super().__init__(**kwargs)
        self.refresh()

    @property
    def columns(self) -> list[Column]:
        """What the grid last read (a copy)."""
        return list(self._columns)

    @property
    def cards(self) -> list[Card]:
        return [card for column in self._columns for card in column.cards]

    def refresh(self) -> ClusterGrid:
        """Read the lab again and redraw; returns the grid (handy as a cell's last line)."""
        try:
            self._columns = read_cluster(self.lab, app=self.app, finished=self.finished)
            self.value = render(self._columns, self.title)
        except docker.errors.DockerException as error:
            self._columns = []
            self.value = (f"<div style='color:{OKABE_ITO['vermillion']}'>No se pudo leer el "
                          f"clúster: {escape(str(error))}</div>")
        return self

    def summary(self) -> str:
        return summary(self._columns)
