"""EventLog: the lab's engine events as a table in Spanish, only the lab's, oldest first."""

from __future__ import annotations

import docker
import pytest

from course import Lab
from course.views import EventLog
from course.views.events import Event, to_event

BACKENDS = [pytest.param("sim", id="sim"), pytest.param("docker", id="docker",
                                                        marks=pytest.mark.docker)]


@pytest.fixture(params=BACKENDS)
def lab(request):
    lab = Lab(backend=request.param, seed=5, quiet=True)
    try:
        lab.image("web", 1)
        lab.client.containers.create(lab.image("web", 1), name=lab.name("sonda"),
                                     labels=lab.labels()).remove()
    except docker.errors.APIError as error:
        if request.param == "sim" and error.status_code == 501:
            pytest.skip(f"the simulator does not serve containers yet: {error.explanation}")
        raise
    yield lab
    lab.cleanup()


def test_a_kill_shows_up_in_order(lab):
    log = EventLog(lab)
    web = lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name("web1"),
                                    labels=lab.labels(app="web"))
    web.kill()
    lab.sleep(0.5)
    assert "kill" not in log.actions("web1"), "the log holds only what it last read"
    log.refresh()
    actions = [a for a in log.actions("web1") if not a.startswith("health_status")]
    assert actions[:4] == ["create", "start", "kill", "die"], actions
    assert "matado" in log.value and "terminado (código 137)" in log.value
    assert "web1" in log.value and "m7-" not in log.value.split("web1")[0][-5:]


def test_an_app_log_shows_only_that_app(lab):
    """A test cell's containers (another app) must not crowd the log of the app on screen."""
    for app in ("web", "prueba"):
        lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name(f"{app}1"),
                                  labels=lab.labels(app=app)).kill()
    lab.sleep(0.5)
    names = {e.name for e in EventLog(lab, app="web").events}
    assert "web1" in names and "prueba1" not in names, names
    assert {"web1", "prueba1"} <= {e.name for e in EventLog(lab).events}


def test_other_labs_events_are_not_shown(lab):
    other = Lab(backend=lab.backend, seed=6, quiet=True,
                namespace=None if lab.backend == "docker" else "otro")
    try:
        if lab.backend == "docker":
            other.client.containers.create(other.image("web", 1), name=other.name("ajeno"),
                                           labels=other.labels())
        log = EventLog(lab)
        assert all(e.name != "ajeno" for e in log.events)
    finally:
        other.cleanup()


def test_limit_keeps_the_last_rows():
    class FakeLab:
        namespace = "m7-x"

    raws = [{"Type": "container", "Action": a, "time": t,
             "Actor": {"ID": "abc", "Attributes": {"name": "m7-x-web1", "course.lab": "m7-x"}}}
            for t, a in enumerate(["create", "start", "kill", "die", "destroy"])]
    events = [to_event(FakeLab(), raw) for raw in raws]
    assert [e.words for e in events] == ["creado", "arrancado", "matado", "terminado", "borrado"]
    assert events[0].name == "web1"
    foreign = dict(raws[0], Actor={"ID": "d", "Attributes": {"course.lab": "otro"}})
    assert to_event(FakeLab(), foreign) is None
    assert Event(1.0, "container", "die", "web1", "137").words == "terminado (código 137)"


def test_a_node_update_says_down_or_back():
    """The engine's node event carries ``state.new``: the log says caído / listo otra vez."""

    class FakeLab:
        namespace = "m7-x"

    def node(new):
        return {"Type": "node", "Action": "update", "time": 1,
                "Actor": {"ID": "n2", "Attributes": {"name": "nodo-2", "state.new": new}}}

    down, back = to_event(FakeLab(), node("down")), to_event(FakeLab(), node("ready"))
    assert (down.words, down.alarm) == ("caído (sin contacto)", True)
    assert (back.words, back.alarm) == ("listo otra vez", False)

