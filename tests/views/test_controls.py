"""Controls: slider, kill button, node down, action button. Widget state, no browser."""

from __future__ import annotations

import docker
import pytest

from course import Lab
from course.views import ActionButton, ClusterGrid, KillButton, NodeDownControl, ReplicasSlider

BACKENDS = [pytest.param("sim", id="sim"), pytest.param("docker", id="docker",
                                                        marks=pytest.mark.docker)]


@pytest.fixture(params=BACKENDS)
def lab(request):
    lab = Lab(backend=request.param, seed=7, quiet=True)
    try:
        lab.client.containers.create(lab.image("web", 1), name=lab.name("sonda"),
                                     labels=lab.labels()).remove()
    except docker.errors.APIError as error:
        if request.param == "sim" and error.status_code == 501:
            pytest.skip(f"the simulator does not serve containers yet: {error.explanation}")
        raise
    yield lab
    lab.cleanup()


def run(lab, name, app="web"):
    return lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name(name),
                                     labels=lab.labels(app=app))


def running(lab, app="web"):
    return sorted(c.name for c in lab.client.containers.list(
        filters={**lab.filters(app=app), "status": "running"}))


def test_kill_button_kills_the_chosen_replica_and_refreshes_views(lab):
    for name in ("web1", "web2", "web3"):
        run(lab, name)
    grid = ClusterGrid(lab, app="web")
    kill = KillButton(lab, app="web", views=[grid])
    assert [label for label, _ in kill.choice.options] == ["web1", "web2", "web3"]
    assert running(lab) == [lab.name(n) for n in ("web1", "web2", "web3")], "building kills none"
    kill.choice.value = lab.name("web2")
    kill.button.click()
    assert running(lab) == [lab.name("web1"), lab.name("web3")]
    assert [label for label, _ in kill.choice.options] == ["web1", "web3"]
    assert {c.name: c.state for c in grid.cards}["web2"] == "exited", "views refreshed"
    assert "web2 matado" in kill.status.value


def test_kill_with_nothing_running_says_so(lab):
    kill = KillButton(lab, app="web")
    assert kill.button.disabled
    kill.button.click()
    assert "No hay ninguna réplica" in kill.status.value


def test_slider_hands_the_desired_count_to_the_controller(lab):
    """Moving the slider changes the desired state; the student's pass makes the lab follow."""
    desired = {"replicas": 1}
    run(lab, "web-0")

    def one_pass(n):  # what a student's reconcile pass would do, for this test only
        desired["replicas"] = n
        have = running(lab)
        for i in range(len(have), n):
            run(lab, f"web-{i}")
        for name in have[n:]:
            lab.client.containers.get(name).remove(force=True)

    grid = ClusterGrid(lab, app="web")
    slider = ReplicasSlider(lab, app="web", on_change=one_pass, views=[grid])
    assert slider.value == 1, "the slider starts from what runs in the lab"
    slider.value = 3
    assert desired == {"replicas": 3} and len(running(lab)) == 3
    assert len(grid.cards) == 3 and "3 réplicas" in slider.status.value
    slider.value = 2
    assert len(running(lab)) == 2 and len(grid.cards) == 2


def test_slider_without_service_or_callback_explains(lab):
    slider = ReplicasSlider(lab, app="web")
    slider.value = 4
    assert "on_change" in slider.status.value
    assert running(lab) == []


def test_action_button_runs_and_writes_the_result(lab):
    grid = ClusterGrid(lab)
    button = ActionButton("Una pasada", lambda: [("crear", 1)], views=[grid], lab=lab)
    button.button.click()
    assert "crear" in button.status.value


def test_node_down_is_disabled_where_nodes_cannot_fall(lab):
    control = NodeDownControl(lab)
    if lab.backend == "docker":
        assert not control.available and control.down_button.disabled
        assert "solo es posible en el simulador" in control.status.value
        with pytest.raises(RuntimeError):
            control.down("x")


def test_node_down_control_takes_a_simulated_node_down_and_back():
    from tests.views.test_grid import swarm_lab

    lab, service = swarm_lab()
    try:
        grid = ClusterGrid(lab, app="web")
        control = NodeDownControl(lab, views=[grid])
        assert control.available and not control.down_button.disabled
        labels = [label for label, _ in control.choice.options]
        assert labels[1:] == ["nodo-2 (listo)", "nodo-3 (listo)"]
        states = [n.attrs["Status"]["State"] for n in lab.client.nodes.list()]
        assert states == ["ready"] * 3, "building the control changes nothing"
        control.choice.value = control.choice.options[1][1]
        control.down_button.click()
        assert "nodo-2 (caído)" in [label for label, _ in control.choice.options]
        assert {c.name: c.down for c in grid.columns}["nodo-2"], "views refreshed"
        control.up_button.click()
        assert "nodo-2 (listo)" in [label for label, _ in control.choice.options]
        control.choice.value = control.choice.options[0][1]  # the manager cannot go down
        control.down_button.click()
        assert "único manager" in control.status.value
    finally:
        lab.cleanup()


def test_slider_scales_a_swarm_service():
    from tests.views.test_grid import swarm_lab

    lab, service = swarm_lab(replicas=2)
    try:
        slider = ReplicasSlider(lab, app="web")
        assert slider.value == 2
        slider.value = 5
        service.reload()
        assert service.attrs["Spec"]["Mode"]["Replicated"]["Replicas"] == 5
        assert "escalado a 5" in slider.status.value
    finally:
        lab.cleanup()
