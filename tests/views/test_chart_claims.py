"""No lesson says something its own chart contradicts, on either backend.

Each test runs the solved lesson's cells (the instructor's ``source/`` notebook, in this process)
up to the cell that draws a chart, on the simulator and on the real engine, then checks the
sentence the lesson writes next to that chart against the chart's own numbers. The sentences are
quoted in each test's docstring. 00, 04 and 05 (the manual update, nginx, the rollout timeline)
are checked where they are drawn: their graders and tests/browser/test_notebooks.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "source" / "m7-orquestacion"
SWARM_LOCK = "/tmp/engine-swarm.lock"  # the shared engine's Swarm mode: one user at a time
BACKENDS = [pytest.param("sim", id="sim"),
            pytest.param("docker", id="docker", marks=pytest.mark.docker)]


@contextlib.contextmanager
def lesson_until(name: str, backend: str, last_line: str, monkeypatch, swarm: bool = False,
                 graded: bool = True):
    """Run the code cells of lesson ``name`` up to (and with) the first one that contains
    ``last_line``, with ``Lab(backend="auto")`` resolving to ``backend`` (without the graders'
    cells unless ``graded``: where the chart does not need their state); yield the cells'
    namespace; clean the lab up afterwards whatever happened."""
    if backend == "docker":
        from course.lab import engine_client

        if engine_client() is None:
            pytest.skip("no Docker engine answers")
    monkeypatch.setenv("COURSE_BACKEND", backend)
    [path] = LESSONS.glob(f"{name}*.ipynb")
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"
             and (graded or not c.metadata.get("nbgrader", {}).get("grade"))]
    namespace: dict = {"__name__": "__lesson__"}
    with contextlib.ExitStack() as stack:
        if swarm and backend == "docker":
            lock = stack.enter_context(open(SWARM_LOCK, "a"))  # noqa: SIM115 - closed by the stack
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the cells' prints and displays
                for cell in cells:
                    exec(compile(cell.source, f"{path.name}", "exec"), namespace)  # noqa: S102
                    if last_line in cell.source:
                        break
                else:
                    raise AssertionError(f"no cell of {path.name} has {last_line!r}")
            yield namespace
        finally:
            if "lab" in namespace:
                namespace["lab"].cleanup()


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_06_the_window_holds_the_replicas_through_the_short_valley(backend, monkeypatch):
    """«Sin ventana, cada bajada de carga borra réplicas que el siguiente pico vuelve a
    necesitar. Con ventana, las réplicas aguantan el valle corto y solo bajan cuando la carga
    lleva 5 minutos baja.» (the day's two charts, titled with their number of changes)"""
    with lesson_until("06-", backend, "for ventana, titulo in", monkeypatch, graded=False) as cells:
        jornada, serie_replicas = cells["jornada"], cells["serie_replicas"]
        args = (2, cells["OBJETIVO"], cells["MINIMO"], cells["MAXIMO"])
        sin, con = serie_replicas(jornada, *args, 1), serie_replicas(jornada, *args, 20)
    changes = [sum(a != b for a, b in zip(s, s[1:], strict=False)) for s in (sin, con)]
    assert changes[0] > changes[1], changes
    # the short valley: samples where the load falls and a peak (>= 300) comes back within two
    valley = [i for i in range(1, len(jornada) - 2) if jornada[i] < jornada[i - 1]
              and max(jornada[i + 1:i + 3]) >= 300]
    assert valley, jornada
    before, after = valley[0] - 1, valley[-1] + 1
    assert min(sin[i] for i in valley) < sin[before], "without a window the valley drops replicas"
    assert sin[after] > min(sin[i] for i in valley), "...that the next peak needs again"
    assert min(con[i] for i in valley) >= con[before], "with a window the valley keeps them"
    # with the window, replicas fall only after 20 samples (5 min) of low load
    last_high = max(i for i, load in enumerate(jornada[:30]) if load >= 200)
    first_drop = next(i for i in range(last_high, len(con)) if con[i] < con[last_high])
    assert first_drop - last_high >= 20, (last_high, first_drop, con)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_06_the_labs_autoscaler_rises_at_once_and_falls_after_its_window(backend, monkeypatch):
    """«una ventana de 3 muestras y un segundo de espera entre muestras, más lo que tardan los
    contenedores en arrancar o pararse (en el motor real, segundos ...). La línea naranja es la
    capacidad que dieron las réplicas que de verdad estaban en marcha: mira cuántas muestras
    tarda en subir y cuántas en bajar»: the chart's replicas are the lab's running ones, as the
    model says, up on the sample the load rises and down only two samples after it falls. (The
    text said "una
    muestra por segundo": samples were 1.1 to 1.2 s apart on the simulator, 1.1 to 7.1 s on the
    engine.)"""
    with lesson_until("06-", backend, "dibujo = autoescalar(", monkeypatch,
                      graded=False) as cells:
        history, traza = cells["dibujo"], cells["traza"]  # what the cell's LoadChart draws
        model = cells["serie_replicas"](traza, 1, 100, 1, 6, 3)
        running = len(cells["en_marcha"](cells["lab"]))
    replicas = [h["replicas"] for h in history]
    assert replicas == model, (replicas, model)
    assert running == replicas[-1]
    rise = traza.index(400)
    assert replicas[rise] > replicas[rise - 1]  # up on the sample the load rises
    fall = max(i for i, load in enumerate(traza) if load == 400) + 1
    assert replicas[fall] == replicas[fall + 1] == replicas[fall - 1]  # held for the window
    assert replicas[fall + 2] < replicas[fall - 1]
    gaps = [b["t"] - a["t"] for a, b in zip(history, history[1:], strict=False)]
    assert all(gap >= 0.99 for gap in gaps), gaps  # a second of waiting between samples, plus


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_07_the_grid_has_one_card_per_task_coloured_by_version(backend, monkeypatch):
    """«La rejilla del clúster: una columna por nodo, una tarjeta por tarea, coloreada por
    versión y con su estado escrito.»"""
    with lesson_until("07-", backend, "rejilla = ClusterGrid(", monkeypatch, swarm=True) as cells:
        grid, lab = cells["rejilla"], cells["lab"]
        nodes = lab.client.nodes.list()
        tasks = [t for s in lab.client.services.list(filters=lab.filters(app="web"))
                 for t in s.tasks(filters={"desired-state": "running"})]
    assert len(grid.columns) == len(nodes), (grid.columns, nodes)
    assert len(grid.cards) == len(tasks) == 3, (grid.cards, tasks)
    assert {card.version for card in grid.cards} == {1}
    assert all(card.state for card in grid.cards)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_01_the_grid_has_one_column_for_the_one_engine_and_a_card_per_container(backend,
                                                                                 monkeypatch):
    """«una columna por nodo (aquí solo hay uno, este motor) y una tarjeta por contenedor. El
    color de relleno es la versión de la imagen; el borde y el texto dicen el estado.»"""
    with lesson_until("01-", backend, "rejilla = ClusterGrid(", monkeypatch) as cells:
        grid, lab = cells["rejilla"], cells["lab"]
        containers = lab.client.containers.list(all=True, filters=lab.filters(app="web"))
    assert len(grid.columns) == 1, grid.columns
    assert len(grid.cards) == len(containers) > 0, (grid.cards, containers)
    assert {card.version for card in grid.cards} == {1}
    assert {card.state for card in grid.cards} == {c.status for c in containers}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_02_the_service_grid_has_one_column_per_node(backend, monkeypatch):
    """«Servicio web: una columna por nodo» (the grid's title), after «un servicio de 6
    réplicas»; «en tu portátil, con un motor real, el clúster tendrá un solo nodo»."""
    with lesson_until("02-", backend, "rejilla = ClusterGrid(", monkeypatch, swarm=True) as cells:
        grid, lab = cells["rejilla"], cells["lab"]
        nodes = lab.client.nodes.list()
    assert len(grid.columns) == len(nodes) == (3 if backend == "sim" else 1), grid.columns
    running = [card for card in grid.cards if card.state == "running"]
    assert len(running) == 6, grid.cards
