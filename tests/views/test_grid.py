"""ClusterGrid: a column per node, a card per container with its version and state in words.

Run on the simulator and on the real engine (marked ``docker``). Until the simulator serves
containers, its cases are skipped with the simulator's own message.
"""

from __future__ import annotations

import docker
import pytest

from course import Lab
from course.views import ClusterGrid
from course.views.grid import (
    ENGINE_COLUMN,
    Card,
    Column,
    image_version,
    in_swarm,
    render,
    summary,
)
from course.views.palette import OKABE_ITO, version_colour

BACKENDS = [pytest.param("sim", id="sim"), pytest.param("docker", id="docker",
                                                        marks=pytest.mark.docker)]


@pytest.fixture(params=BACKENDS)
def lab(request):
    lab = Lab(backend=request.param, seed=3, quiet=True)
    try:
        lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name("sonda"),
                                  labels=lab.labels(app="sonda")).remove(force=True)
    except docker.errors.APIError as error:
        if request.param == "sim" and error.status_code == 501:
            pytest.skip(f"the simulator does not serve containers yet: {error.explanation}")
        raise
    yield lab
    lab.cleanup()


def run(lab, name, version=1, app="web"):
    return lab.client.containers.run(lab.image("web", version), detach=True, name=lab.name(name),
                                     labels=lab.labels(app=app))


def test_one_card_per_container_with_version_and_state_in_words(lab):
    run(lab, "web1", 1)
    run(lab, "web2", 2)
    dead = run(lab, "web3", 1)
    dead.kill()
    grid = ClusterGrid(lab, app="web")
    [column] = grid.columns
    swarm = in_swarm(lab.client)[0]
    expected = lab.client.info()["Name"] if swarm else ENGINE_COLUMN  # the node, in Swarm mode
    assert column.name == expected and not column.down
    by_name = {card.name: card for card in grid.cards}
    assert sorted(by_name) == ["web1", "web2", "web3"]
    assert by_name["web2"].version == 2 and by_name["web3"].state == "exited"
    assert grid.value.count("class='course-card'") == 3
    assert "parado" in grid.value and "en marcha" in grid.value
    assert version_colour(1) in grid.value and version_colour(2) in grid.value
    assert "3 contenedores" in grid.summary()


def test_building_and_refreshing_change_nothing(lab):
    run(lab, "web1")
    before = sorted((c.name, c.status) for c in lab.client.containers.list(
        all=True, filters=lab.filters()))
    grid = ClusterGrid(lab)
    grid.refresh()
    after = sorted((c.name, c.status) for c in lab.client.containers.list(
        all=True, filters=lab.filters()))
    assert before == after


def test_refresh_reads_the_lab_again(lab):
    grid = ClusterGrid(lab, app="web")
    assert grid.cards == [] and "No hay contenedores" in grid.value
    run(lab, "web1")
    assert grid.cards == [], "the grid holds only what it last read"
    grid.refresh()
    assert [c.name for c in grid.cards] == ["web1"]


def test_app_filter_and_other_labs_are_not_shown(lab):
    run(lab, "web1", app="web")
    run(lab, "db1", app="db")
    other = Lab(backend=lab.backend, seed=4, quiet=True,
                namespace=None if lab.backend == "docker" else "otro")
    try:
        if lab.backend == "docker":
            run(other, "ajeno")
        assert [c.name for c in ClusterGrid(lab, app="web").cards] == ["web1"]
        assert sorted(c.name for c in ClusterGrid(lab).cards) == ["db1", "web1"]
    finally:
        other.cleanup()


def test_a_down_node_is_drawn_as_such():
    columns = [
        Column("nodo-1", role="manager", leader=True, cards=(Card("web.1", "course/web:1", 1,
                                                                  "running"),)),
        Column("nodo-2", state="down", role="worker",
               cards=(Card("web.2", "course/web:2", 2, "running", kind="tarea"),)),
        Column("nodo-3", availability="drain", role="worker"),
    ]
    html = render(columns)
    assert "NODO CAÍDO" in html and "data-state='down'" in html
    assert OKABE_ITO["vermillion"] in html
    assert "vaciado" in html and "manager (líder)" in html and "(vacío)" in html
    assert "Nodos caídos: nodo-2" in summary(columns)


def test_task_states_are_written_in_spanish():
    card = Card("web.1", "course/web:2@sha256:abc", 2, "pending", kind="tarea")
    assert card.words == "pendiente" and card.border == OKABE_ITO["yellow"]
    healthy = Card("web1", "course/web:1", 1, "running", health="healthy")
    assert healthy.words == "en marcha · sano"
    assert image_version("course/web:3@sha256:ff") == 3 and image_version("nginx") is None


def swarm_lab(replicas=6, **spec):
    """A simulated Swarm of three nodes with a web service spread over them (``spec``: more
    arguments of ``services.create``)."""
    lab = Lab(backend="sim", seed=11, quiet=True)
    lab.ensure_swarm()
    for name in ("nodo-2", "nodo-3"):
        lab.engine.swarm.add_node(name, cpus=2, memory_gb=4)
    service = lab.client.services.create(
        image=lab.image("web", 1), name=lab.name("web"), labels=lab.labels(app="web"),
        mode=docker.types.ServiceMode("replicated", replicas=replicas), **spec)
    for _ in range(60):
        tasks = service.tasks(filters={"desired-state": "running"})
        if sum(t["Status"]["State"] == "running" for t in tasks) == replicas:
            break
        lab.sleep(0.5)
    return lab, service


def test_swarm_nodes_are_columns_with_their_tasks():
    lab, _ = swarm_lab()
    try:
        grid = ClusterGrid(lab, app="web")
        assert [c.name for c in grid.columns] == [grid.columns[0].name, "nodo-2", "nodo-3"]
        assert [len(c.cards) for c in grid.columns] == [2, 2, 2]
        assert grid.columns[0].role == "manager" and grid.columns[1].role == "worker"
        assert all(card.kind == "tarea" and card.words == "en marcha" for card in grid.cards)
        assert grid.value.count("class='course-node'") == 3
        assert "6 tareas: 6 en marcha." == grid.summary()
    finally:
        lab.cleanup()


def test_a_down_node_column_says_so_and_its_tasks_lose_contact():
    lab, _ = swarm_lab()
    try:
        lab.engine.swarm.node_down("nodo-2")
        lab.sleep(15)
        grid = ClusterGrid(lab, app="web")
        down = {c.name: c for c in grid.columns}["nodo-2"]
        assert down.down and "NODO CAÍDO" in grid.value
        assert "sin contacto" in grid.value
        healthy = sum(len(c.cards) for c in grid.columns if not c.down)
        assert healthy == 6, "the replicas came back on the nodes that are up"
        assert "Nodos caídos: nodo-2" in grid.summary()
    finally:
        lab.cleanup()


def test_tasks_being_stopped_after_an_update_say_so_until_they_stop():
    """After a rolling update, old tasks whose PID 1 ignores SIGTERM (a busybox ``sleep``; the lab
    image's own server ends on it) run out their stop grace period: the grid must not count them
    as replicas in service."""
    lab, service = swarm_lab(replicas=2, command=["sleep", "600"],
                             healthcheck=docker.types.Healthcheck(test=["NONE"]))
    try:
        service.update(image=lab.image("web", 2), update_config=docker.types.UpdateConfig(
            parallelism=2, order="start-first", monitor=1_000_000_000))
        for _ in range(60):
            service.reload()
            if (service.attrs.get("UpdateStatus") or {}).get("State") == "completed":
                break
            lab.sleep(0.5)
        grid = ClusterGrid(lab, app="web")
        stopping = [c for c in grid.cards if c.stopping]
        assert stopping and all(c.version == 1 and "apagándose" in c.words for c in stopping)
        assert "dashed" in grid.value
        lab.sleep(15)  # past the 10 s grace: the engine has killed them
        assert [c.version for c in grid.refresh().cards] == [2, 2]
    finally:
        lab.cleanup()
