"""Controls that act on a lab: a replicas slider, a kill button, a node-down switch, a button.

Why: a student learns self-healing by breaking things and watching them come back. Each control
does one docker-py call (or, for a node, the simulator's call: the Engine API has none), then
refreshes the views it was given. Controls hold no state the lab does not have: their options
and values are read from the lab when built and after every action. Building a control only
reads, so notebooks stay harmless under papermill and nbgrader.

Errors never vanish in a callback: each callback runs inside ``self.out.capture()`` and the
message is written in the control, in Spanish.

The slider never creates or removes containers by itself (that is the student's reconcile loop,
a graded exercise): it scales a Swarm service, or hands the new count to ``on_change``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

import docker
import ipywidgets as widgets

from .grid import in_swarm, node_order
from .palette import OKABE_ITO


def _refresh(views: Iterable) -> None:
    for view in views:
        view.refresh()


def _short(lab, name: str) -> str:
    prefix = f"{lab.namespace}-"
    return name[len(prefix):] if name.startswith(prefix) else name


class _Control(widgets.VBox):
    """A row of widgets, a status line and an output area that shows errors."""

    def __init__(self, lab, views: Iterable = (), **kwargs):
        self.lab = lab
        self.views = list(views)
        self.out = widgets.Output()
        self.status = widgets.HTML(value="")
        super().__init__(**kwargs)

    def _say(self, text: str, error: bool = False) -> None:
        colour = OKABE_ITO["vermillion"] if error else "#333"
        self.status.value = f"<span style='color:{colour}'>{escape(text)}</span>"

    def _guard(self, action: Callable) -> Callable:
        """Wrap a callback: errors are written in the control, views refreshed after."""

        def handler(*args):
            with self.out:
                try:
                    action(*args)
                except docker.errors.DockerException as error:
                    self._say(f"✘ {error}", error=True)
                except (ValueError, RuntimeError, NotImplementedError) as error:
                    self._say(f"✘ {error}", error=True)
                finally:
                    _refresh(self.views)

        return handler


def find_service(lab, app: str | None = None, service: str | None = None):
    """The lab's Swarm service named ``service`` or labelled ``app=<app>``, if Swarm is on."""
    try:
        if not in_swarm(lab.client)[0]:
            return None
        labels = {"app": app} if app and not service else {}
        candidates = lab.client.services.list(filters=lab.filters(**labels))
    except docker.errors.DockerException:
        return None
    for candidate in candidates:
        if service is None or candidate.name in (service, lab.name(service)):
            return candidate
    return None


def service_replicas(service) -> int | None:
    return (((service.attrs.get("Spec") or {}).get("Mode") or {}).get("Replicated") or {}).get(
        "Replicas")


class ReplicasSlider(_Control):
    """A slider of replicas.

    Args:
        lab: the :class:`course.Lab`.
        app: the ``app`` label of the service or containers.
        service: a Swarm service's name (plain or from ``lab.name``); found by ``app`` if omitted.
        on_change: called with the new count instead of scaling a service (the desired state a
            student's controller follows). Required when there is no service.
        value: the starting value when ``on_change`` is used (default: running containers).
        views: views to refresh after a change.
    """

    def __init__(self, lab, app: str = "web", service: str | None = None,
                 on_change: Callable[[int], object] | None = None, value: int | None = None,
                 max: int = 10, views: Iterable = (), description: str = "réplicas"):
        super().__init__(lab, views)
        self.app, self.service_name, self.on_change = app, service, on_change
        if value is None:
            value = self.read()
        self.slider = widgets.IntSlider(value=int(value), min=0, max=max, step=1,
                                        description=description, continuous_update=False)
        self.slider.observe(self._guard(self._changed), names="value")
        self.children = [self.slider, self.status, self.out]

    @property
    def value(self) -> int:
        return self.slider.value

    @value.setter
    def value(self, n: int) -> None:
        self.slider.value = n

    def read(self) -> int:
        """The count in the lab: the service's replicas, or the app's running containers."""
        service = find_service(self.lab, self.app, self.service_name)
        if service is not None:
            return int(service_replicas(service) or 0)
        flt = {**self.lab.filters(app=self.app), "status": "running"}
        return len(self.lab.client.containers.list(filters=flt))

    def _changed(self, change) -> None:
        n = int(change["new"])
        if self.on_change is not None:
            self.on_change(n)
            self._say(f"Estado deseado: {n} réplicas.")
            return
        service = find_service(self.lab, self.app, self.service_name)
        if service is None:
            raise RuntimeError("No hay un servicio que escalar: pasa on_change= para fijar el "
                               "estado deseado de tu controlador.")
        service.scale(n)
        self._say(f"Servicio {_short(self.lab, service.name)} escalado a {n} réplicas.")


class KillButton(_Control):
    """A drop-down of the lab's running containers and a button that kills the chosen one.

    ``kill()`` is ``docker kill``: the process dies at once (exit code 137), as in a crash.
    """

    def __init__(self, lab, app: str | None = None, views: Iterable = (),
                 description: str = "Matar"):
        super().__init__(lab, views)
        self.app = app
        self.choice = widgets.Dropdown(description="réplica", options=[])
        self.button = widgets.Button(description=description, button_style="danger",
                                     icon="times")
        self.button.on_click(self._guard(lambda _b: self.kill()))
        self.children = [widgets.HBox([self.choice, self.button]), self.status, self.out]
        self.refresh()

    def running(self) -> list:
        labels = {"app": self.app} if self.app else {}
        flt = {**self.lab.filters(**labels), "status": "running"}
        return sorted(self.lab.client.containers.list(filters=flt), key=lambda c: c.name)

    def refresh(self) -> KillButton:
        """Re-read the running containers into the drop-down."""
        options = [(_short(self.lab, c.name), c.name) for c in self.running()]
        self.choice.options = options
        self.button.disabled = not options
        return self

    def kill(self, name: str | None = None) -> str:
        """Kill ``name`` (default: the one chosen); returns its name."""
        name = name or self.choice.value
        if not name:
            raise ValueError("No hay ninguna réplica en marcha que matar.")
        self.lab.client.containers.get(name).kill()
        self._say(f"💥 {_short(self.lab, name)} matado (docker kill).")
        self.refresh()
        return name


def node_switch(lab):
    """The simulator's node up/down call, or ``None`` (a real engine cannot take a node down)."""
    return lab.runtime.node_switch()


class NodeDownControl(_Control):
    """Take a Swarm node down (as if its machine lost power) and bring it back.

    Only on the simulator: the Engine API has no call that powers a machine off, and on a laptop
    the only node is the machine itself. On a real engine the control says so and stays disabled.
    """

    def __init__(self, lab, views: Iterable = ()):
        super().__init__(lab, views)
        self.choice = widgets.Dropdown(description="nodo", options=[])
        self.down_button = widgets.Button(description="Tirar nodo", button_style="danger",
                                          icon="power-off")
        self.up_button = widgets.Button(description="Levantar nodo", button_style="success",
                                        icon="plug")
        self.down_button.on_click(self._guard(lambda _b: self.down()))
        self.up_button.on_click(self._guard(lambda _b: self.up()))
        self.children = [widgets.HBox([self.choice, self.down_button, self.up_button]),
                         self.status, self.out]
        self.refresh()

    @property
    def available(self) -> bool:
        return node_switch(self.lab) is not None

    def nodes(self) -> list:
        try:
            return sorted(self.lab.client.nodes.list(), key=node_order)
        except docker.errors.APIError:
            return []  # not in Swarm mode

    def refresh(self) -> NodeDownControl:
        nodes = self.nodes()
        options = []
        for node in nodes:
            hostname = (node.attrs.get("Description") or {}).get("Hostname") or node.id[:10]
            state = (node.attrs.get("Status") or {}).get("State", "?")
            options.append((f"{hostname} ({'caído' if state == 'down' else 'listo'})", node.id))
        keep = self.choice.value
        self.choice.options = options
        if keep in [v for _, v in options]:
            self.choice.value = keep
        usable = self.available and bool(options)
        self.down_button.disabled = self.up_button.disabled = not usable
        if not self.available:
            self._say("Tirar un nodo solo es posible en el simulador: un motor real no puede "
                      "apagar una máquina desde docker-py.")
        elif not options:
            self._say("No hay nodos: el motor no está en modo Swarm.")
        return self

    def _switch(self, node_id: str | None, which: int, word: str) -> str:
        switch = node_switch(self.lab)
        if switch is None:
            raise RuntimeError("Tirar un nodo solo es posible en el simulador.")
        node_id = node_id or self.choice.value
        if not node_id:
            raise ValueError("Elige un nodo.")
        switch[which](node_id)
        self.refresh()
        self._say(f"Nodo {node_id[:10]} {word}.")
        return node_id

    def down(self, node_id: str | None = None) -> str:
        """Take ``node_id`` (default: the chosen node) down."""
        return self._switch(node_id, 0, "caído")

    def up(self, node_id: str | None = None) -> str:
        """Bring ``node_id`` (default: the chosen node) back."""
        return self._switch(node_id, 1, "de vuelta")


class ActionButton(_Control):
    """A button that runs ``action()`` (e.g. one pass of the student's controller) and
    refreshes the views; what ``action`` returns is written under it."""

    def __init__(self, description: str, action: Callable[[], object], views: Iterable = (),
                 lab=None):
        super().__init__(lab, views)
        self.action = action
        # as wide as its label: ipywidgets' fixed default width cuts a long one ("Una pasada
        # del c...") and "auto" stretches it across the page
        self.button = widgets.Button(description=description, button_style="primary",
                                     layout=widgets.Layout(width="max-content"))
        self.button.on_click(self._guard(lambda _b: self.run()))
        self.children = [self.button, self.status, self.out]

    def run(self):
        result = self.action()
        self._say(f"→ {result!r}" if result is not None else "hecho.")
        return result
