"""LoadChart and LoadSlider: widget state without a browser; building them touches nothing."""

from __future__ import annotations

import ipywidgets as widgets

from course.views import LoadChart, LoadSlider
from course.views.load import CAPACITY_COLOUR, LOAD_COLOUR, Sample, as_sample


def test_samples_from_tuples_and_spanish_mappings():
    assert as_sample((0, 100, 2)) == Sample(0.0, 100.0, 2)
    assert as_sample({"t": 15, "carga": 250, "replicas": 5}) == Sample(15.0, 250.0, 5)
    assert as_sample({"t": 30, "load": 90, "replicas": 1}) == Sample(30.0, 90.0, 1)


def test_chart_draws_load_and_capacity_and_writes_the_values():
    chart = LoadChart([(0, 100, 2), (15, 400, 8), (30, 100, 8), (45, 100, 2)], target=50)
    assert isinstance(chart, widgets.HTML)
    assert [s.replicas for s in chart.samples] == [2, 8, 8, 2]
    html = chart.value
    assert html.count("<polyline") == 2  # load and capacity
    assert LOAD_COLOUR in html and CAPACITY_COLOUR in html
    assert "stroke-dasharray" in html  # load differs by shape too, not only by colour
    assert "capacidad = réplicas × 50" in html
    # the replica count is written where it changes, and every value is in the text table
    assert ">8</text>" in html and ">2</text>" in html
    assert "<td>15</td><td>400</td><td>8</td>" in html
    assert "Ahora (t = 45 s): carga 100 pet./s, 2 réplicas." in html
    assert "Máximo: 8 réplicas (t = 15 s)" in html


def test_chart_without_target_gives_replicas_their_own_scale():
    chart = LoadChart([(0, 10, 1), (1, 20, 3)])
    assert "réplicas (escala propia, máx. 3)" in chart.value


def test_update_replaces_the_history_and_can_set_the_target():
    chart = LoadChart()
    assert "Todavía no hay muestras" in chart.value
    chart.update([{"t": 0, "carga": 60, "replicas": 1}], target=60)
    assert chart.target == 60 and len(chart.samples) == 1
    assert "1 réplicas" in chart.value
    chart.update([(0, 60, 1), (15, 120, 2)])
    assert len(chart.samples) == 2


def test_a_single_sample_or_zero_load_does_not_divide_by_zero():
    assert "<svg" in LoadChart([(5, 0, 0)]).value
    assert "<svg" in LoadChart([(5, 0, 0)], target=50).value


def test_slider_calls_the_notebook_function_and_shows_its_answer():
    seen = []
    control = LoadSlider(lambda load: seen.append(load) or f"aplicada {load}", value=100)
    assert isinstance(control, widgets.VBox)
    assert seen == []  # building it calls nothing
    control.slider.value = 300
    control.slider.value = 50
    assert seen == [300, 50]
    assert control.status.value == "aplicada 50"


def test_slider_shows_an_error_in_spanish_instead_of_raising():
    def broken(load):
        raise NotImplementedError()

    control = LoadSlider(broken)
    control.slider.value = 200
    assert control.status.value.startswith("Error al aplicar la carga 200: NotImplementedError")


def test_slider_with_a_function_that_returns_nothing_clears_the_status():
    control = LoadSlider(lambda load: None)
    control.slider.value = 20
    assert control.status.value == ""
