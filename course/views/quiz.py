"""A quiz a student answers with clicks and hands in as code (lesson 09).

Why the answers end up as code: a graded check never depends on widget events (nbgrader and
papermill run the notebook without anyone clicking), so what counts is the ``respuestas = {...}``
the student writes in the solution cell. The quiz helps to get there: every choice is written into
a draft dictionary the notebook owns, and the quiz shows the exact line to copy.

The quiz knows the questions and nothing else: it holds no answer key, cannot grade, and says
nothing about right or wrong. Grading happens in hidden tests that compare salted hashes.

Questions are dictionaries:

* a choice: ``{"key": "p1", "text": "...", "options": {"a": "...", "b": "..."}}``;
* a matching: ``{"key": "relacionar", "text": "...", "items": {"cluster": "Cluster", ...},
  "options": {"A": "...", "B": "..."}}``: one option per item.

>>> draft = {}
>>> quiz = Quiz([{"key": "p1", "text": "¿2 + 2?", "options": {"a": "3", "b": "4"}}], draft)
>>> quiz.choose("p1", "b")
>>> draft, quiz.code_line()
({'p1': 'b'}, "respuestas = {'p1': 'b'}")
"""

from __future__ import annotations

import html
from collections.abc import Mapping, MutableMapping, Sequence

import ipywidgets as widgets

from .palette import OKABE_ITO


def _check_question(question: Mapping) -> None:
    missing = {"key", "text", "options"} - set(question)
    if missing:
        raise ValueError(f"A la pregunta {question!r} le falta: {', '.join(sorted(missing))}.")


# ipywidgets gives each radio option one line of fixed height (the button floated before the
# text): a long option wraps over the next one. Inside a quiz, an option takes the lines it needs.
WRAP_OPTIONS = ("<style>.course-quiz .widget-radio-box label {height: auto; white-space: normal;"
                " line-height: 1.35; margin: 2px 0; display: flex; flex-wrap: nowrap;"
                " align-items: flex-start}"
                " .course-quiz .widget-radio-box input {flex: none; float: none; order: -1;"
                " margin: 2px 8px 0 1px}</style>")


class Quiz(widgets.VBox):
    """Questions with radio buttons (choices) and dropdowns (matchings), and the line to copy.

    Args:
        questions: the questions, in order (see the module docstring).
        answers: the draft dictionary to fill as the student clicks (the notebook owns it);
            answers already in it are shown as selected.
        variable: the name of the variable in the line to copy.
    """

    def __init__(self, questions: Sequence[Mapping], answers: MutableMapping | None = None,
                 variable: str = "respuestas", **kwargs):
        for question in questions:
            _check_question(question)
        keys = [q["key"] for q in questions]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Hay claves de pregunta repetidas: {keys}.")
        self.questions = list(questions)
        self.answers = answers if answers is not None else {}
        self.variable = variable
        self.controls: dict = {}
        self.code = widgets.HTML()
        boxes = [self._question_box(n, q) for n, q in enumerate(self.questions, start=1)]
        super().__init__([widgets.HTML(WRAP_OPTIONS)] + boxes + [self.code], **kwargs)
        self.add_class("course-quiz")
        self._show_code()

    # -- building -----------------------------------------------------------------------------
    def _question_box(self, number: int, question: Mapping) -> widgets.Widget:
        title = widgets.HTML(f"<b>{number}. {html.escape(question['text'])}</b>")
        key = question["key"]
        if "items" in question:
            legend = widgets.HTML("".join(
                f"<div><b>{html.escape(letter)}</b>: {html.escape(text)}</div>"
                for letter, text in question["options"].items()))
            choices = [("—", None)] + [(letter, letter) for letter in question["options"]]
            current = self.answers.get(key) or {}
            dropdowns = {}
            rows = []
            for item, label in question["items"].items():
                dropdown = widgets.Dropdown(options=choices, value=current.get(item),
                                            description=label,
                                            style={"description_width": "160px"})
                dropdown.observe(self._on_match(key, item), names="value")
                dropdowns[item] = dropdown
                rows.append(dropdown)
            self.controls[key] = dropdowns
            return widgets.VBox([title, legend, *rows],
                                layout=widgets.Layout(margin="0 0 12px 0"))
        options = [(f"{letter}) {text}", letter) for letter, text in question["options"].items()]
        radio = widgets.RadioButtons(options=options, value=self.answers.get(key),
                                     layout=widgets.Layout(width="auto"))
        radio.observe(self._on_choice(key), names="value")
        self.controls[key] = radio
        return widgets.VBox([title, radio], layout=widgets.Layout(margin="0 0 12px 0"))

    def _on_choice(self, key):
        def changed(change):
            self._store(key, change["new"])
        return changed

    def _on_match(self, key, item):
        def changed(change):
            chosen = dict(self.answers.get(key) or {})
            if change["new"] is None:
                chosen.pop(item, None)
            else:
                chosen[item] = change["new"]
            self._store(key, chosen)
        return changed

    def _store(self, key, value) -> None:
        if value in (None, {}):
            self.answers.pop(key, None)
        else:
            self.answers[key] = value
        self._show_code()

    # -- what the student reads and copies ---------------------------------------------------
    def choose(self, key: str, value, item: str | None = None) -> None:
        """Select ``value`` for question ``key`` (or ``item`` of a matching), as a click would."""
        control = self.controls[key]
        if item is None:
            control.value = value
        else:
            control[item].value = value

    def pending(self) -> list[str]:
        """The keys of the questions (and ``key.item`` of matchings) still without an answer."""
        missing = []
        for question in self.questions:
            key = question["key"]
            if "items" in question:
                chosen = self.answers.get(key) or {}
                missing += [f"{key}.{item}" for item in question["items"] if item not in chosen]
            elif self.answers.get(key) is None:
                missing.append(key)
        return missing

    def code_line(self) -> str:
        """The line to copy into the answer cell, in the order of the questions."""
        ordered = {q["key"]: self.answers[q["key"]] for q in self.questions
                   if q["key"] in self.answers}
        return f"{self.variable} = {ordered!r}"

    def _show_code(self) -> None:
        pending = self.pending()
        status = (f"Te faltan {len(pending)}: {', '.join(pending)}." if pending
                  else "Has contestado todas.")
        self.code.value = (
            f"<div style='border-left:4px solid {OKABE_ITO['blue']};padding-left:8px'>"
            f"<div>{html.escape(status)} Copia esta línea en la celda de respuestas (lo que "
            "cuenta es lo que escribas allí, no los clics):</div>"
            f"<pre>{html.escape(self.code_line())}</pre></div>")
