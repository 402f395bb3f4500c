"""Quiz: widget state without a browser; it writes the draft, shows the line, knows no answers."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from course.views.quiz import Quiz

CHOICE = {"key": "p1", "text": "¿Cuántos managers caen con 5?", "options": {"a": "1", "b": "2"}}
MATCH = {"key": "relacionar", "text": "Relaciona.",
         "items": {"cluster": "Cluster", "service": "Service"},
         "options": {"A": "Un conjunto de nodos", "B": "Cómo ejecutar una aplicación"}}


def test_building_selects_nothing_and_lists_every_pending_answer():
    draft = {}
    quiz = Quiz([MATCH, CHOICE], draft)
    assert isinstance(quiz, widgets.VBox)
    assert draft == {}
    assert quiz.controls["p1"].value is None
    assert quiz.controls["relacionar"]["cluster"].value is None
    assert quiz.pending() == ["relacionar.cluster", "relacionar.service", "p1"]
    assert "Te faltan 3" in quiz.code.value and "respuestas = {}" in quiz.code.value


def test_clicks_fill_the_draft_and_the_line_to_copy_in_question_order():
    draft = {}
    quiz = Quiz([MATCH, CHOICE], draft)
    quiz.choose("p1", "b")
    quiz.choose("relacionar", "A", item="cluster")
    quiz.choose("relacionar", "B", item="service")
    assert draft == {"p1": "b", "relacionar": {"cluster": "A", "service": "B"}}
    assert quiz.pending() == []
    assert quiz.code_line() == (
        "respuestas = {'relacionar': {'cluster': 'A', 'service': 'B'}, 'p1': 'b'}")
    assert "Has contestado todas." in quiz.code.value


def test_clearing_a_matching_item_removes_it_from_the_draft():
    draft = {}
    quiz = Quiz([MATCH], draft)
    quiz.choose("relacionar", "A", item="cluster")
    quiz.choose("relacionar", None, item="cluster")
    assert draft == {}


def test_answers_already_in_the_draft_are_shown_selected():
    quiz = Quiz([CHOICE, MATCH], {"p1": "a", "relacionar": {"service": "B"}})
    assert quiz.controls["p1"].value == "a"
    assert quiz.controls["relacionar"]["service"].value == "B"
    assert quiz.pending() == ["relacionar.cluster"]


def test_the_quiz_renders_questions_and_options_as_text():
    quiz = Quiz([CHOICE, MATCH])
    labels = [label for label, _ in quiz.controls["p1"].options]
    assert labels == ["a) 1", "b) 2"]
    boxes = [box for box in quiz.children if isinstance(box, widgets.VBox)]
    html = "".join(child.value for box in boxes for child in box.children
                   if isinstance(child, widgets.HTML))
    assert "1. ¿Cuántos managers caen con 5?" in html and "<b>A</b>: Un conjunto de nodos" in html
    # a long option takes the lines it needs instead of running over the next one
    assert "course-quiz" in quiz._dom_classes and "white-space: normal" in quiz.children[0].value


def test_it_holds_no_answer_key_and_refuses_malformed_questions():
    quiz = Quiz([CHOICE])
    assert not any("correct" in name or "key_" in name for name in vars(quiz))
    with pytest.raises(ValueError, match="le falta: options"):
        Quiz([{"key": "p1", "text": "?"}])
    with pytest.raises(ValueError, match="repetidas"):
        Quiz([CHOICE, CHOICE])


def test_another_variable_name():
    quiz = Quiz([CHOICE], variable="mis_respuestas")
    quiz.choose("p1", "a")
    assert quiz.code_line() == "mis_respuestas = {'p1': 'a'}"
