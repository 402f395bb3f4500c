"""``course grade``: autograde every submission, N at a time, into one gradebook.

The pipeline, in order (each step's reason in brackets):

1. seed a template SQLite gradebook with the assignment's definition, read from the real one
   [workers must not write the real gradebook: SQLite takes one writer, nbgrader #174];
2. grade the submissions in a pool of ``jobs`` worker processes; each submission is graded by
   nbgrader's own ``autograde`` against a private copy of the template
   [processes, not threads: nbgrader and its kernels are not thread-safe; workers are reused,
   so nbgrader is imported once per worker, not once per submission];
3. before grading, each worker compares the locked cells handed in with the gradebook's
   [nbgrader silently restores edited and deleted test cells; the instructor should know];
4. merge the private gradebooks into the real one, one writer, in student order, with nbgrader's
   own rules (:mod:`course.grading.gradebook`) [so the result equals a sequential run]; a
   submission is merged as soon as it and every one before it in that order are graded
   [the parent merges while the workers grade on, instead of after the last one].

Submissions are handed to the pool largest first (most notebooks) [a ten-notebook submission
started last would leave the other workers idle while it runs].

The backend reaches the kernels as ``COURSE_BACKEND`` (``sim`` unless the instructor says
``docker``; the Lab honours it over ``auto``). On ``sim`` a kernel is killed as soon as its
notebook has run (``Execute.shutdown_kernel = "immediate"``) [every output is in by then, and a
simulated cluster leaves nothing outside the kernel to clean up; a graceful shutdown costs 0.1 s
more, and in about one shutdown in twelve ipykernel 7's control thread stalls on a last flush
until jupyter_client gives up and sends SIGTERM, 2.5 s later]. On ``docker`` the shutdown stays
graceful: the lab's cleanup at interpreter exit removes what the notebook left on the engine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat

from .cells import HIDDEN_TESTS, grade_id, source_text, without_regions
from .errors import GradingError
from .layout import Course
from .lock import one_grader
from .nbconfig import db_url_of, load_config, make_api, tools_on_path
from .sandbox import ConfinedKernelManager, confinement_problem
from .swarm_turns import default_lock, swarm_held, swarm_notebooks
from .tamper import read_evidence

UNCONFINED_FLAG = "--unconfined-i-trust-student-code"

DOCKER_WARNING = (
    "note: --backend docker: student code reaches the engine through the grader's filtering "
    "proxy (its own labelled objects, nothing of the host); its containers still share this "
    "engine's CPU, memory and disk."
)


@dataclass
class SubmissionResult:
    """How one student's submission went."""

    student: str
    ok: bool
    seconds: float = 0.0
    error: str = ""
    restored: list[str] = field(default_factory=list)
    score: float | None = None  # after the late penalty, as nbgrader's export reports it
    penalty: float = 0.0
    max_score: float | None = None
    db_path: str = ""
    submitted: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # tamper evidence: review by hand


@dataclass
class GradeReport:
    """The results of one ``course grade`` run, in student order."""

    assignment: str
    results: list[SubmissionResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Students with a ``submitted/<student>/<assignment>/`` folder, sorted."""
    base = course.root / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def tampered_cells(root: Path, assignment: str, student: str, db_url: str) -> list[str]:
    """Locked cells (tests, setup) that the submission deleted or edited, and whether nbgrader
    restores them (edited ones and deleted test cells; a deleted setup cell stays missing)."""
    from nbgrader.api import Gradebook

    found = []
    with Gradebook(db_url) as gb:
        for nb in gb.find_assignment(assignment).notebooks:
            path = root / "submitted" / student / assignment / f"{nb.name}.ipynb"
            if not path.is_file():
                continue
            try:
                handed_in = nbformat.read(path, as_version=4)
            except (
                Exception
            ) as error:  # an unreadable notebook is graded (and reported) by nbgrader
                found.append(f"{nb.name}: unreadable notebook ({type(error).__name__})")
                continue
            cells = {grade_id(c): c for c in handed_in.cells if grade_id(c)}
            graded = {g.name for g in nb.grade_cells} | {t.name for t in nb.task_cells}
            for master in nb.source_cells:
                if not master.locked:
                    continue
                cell = cells.get(master.name)
                if cell is None and master.name in graded:
                    found.append(f"{nb.name}/{master.name}: deleted (restored)")
                elif cell is None:  # OverwriteCells.add_missing_cells puts back graded cells only
                    found.append(f"{nb.name}/{master.name}: deleted (NOT restored)")
                elif _squash(source_text(cell)) != _squash(
                    without_regions(master.source or "", HIDDEN_TESTS)
                ):
                    found.append(f"{nb.name}/{master.name}: edited (restored)")
    return found


def _squash(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def _warm_up(log_dir: str) -> None:
    """Worker start: tools on PATH, nbgrader imported, stderr (and the kernels') to a log file."""
    import warnings

    tools_on_path()
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    log = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT, 0o644)
    os.dup2(log, 2)
    import nbgrader.apps  # noqa: F401  (import once per worker, not once per submission)


def autograde_config(
    root: Path, db_url: str, timeout: int | None, backend: str, confine: bool = True,
    assignment: str = "",
):
    """The nbgrader configuration a worker autogrades with: the course's, on its private
    gradebook, and on ``sim`` kernels killed once their notebook has run (module docstring);
    ``confine=False`` only when the instructor asked for it (``--unconfined-i-trust-student-code``).
    """
    config = load_config(root, db_url=db_url, timeout=timeout)
    if backend == "sim":
        config.Execute.shutdown_kernel = "immediate"
    # the submission's wall clock starts now: its notebooks' kernels share it (sandbox.py)
    limit = config.ConfinedKernelManager.get(
        "submission_seconds", ConfinedKernelManager.submission_seconds.default_value
    )
    if limit > 0:
        config.ConfinedKernelManager.submission_deadline = time.time() + limit
    if not confine:
        config.ConfinedKernelManager.confine = False
    elif backend == "docker":
        config.ConfinedKernelManager.docker_socket = engine_socket()
    if backend == "docker":  # parallel workers share the engine's one Swarm mode: turns
        config.ResilientExecute.swarm_notebooks = swarm_notebooks(root / "source" / assignment)
        config.ResilientExecute.swarm_lock = default_lock()
    return config


def _prepare_engine() -> None:
    """Before the kernels: remove what killed graders left, and build the lab images here,
    outside the sandbox (the grading proxy refuses builds: a build runs what its Dockerfile
    says)."""
    import docker

    from .. import images, nginx, nginx_container
    from .engine_proxy import sweep_orphans

    client = docker.DockerClient(base_url=f"unix://{engine_socket()}", timeout=300)
    try:
        sweep_orphans(client.api)
        images.build_lab_images(client=client)
        if nginx.find_nginx():  # else lesson 04's check says in the kernel how to get nginx
            nginx_container.ensure_image(client)
    except (docker.errors.DockerException, images.ImageBuildError) as error:
        raise GradingError(f"cannot prepare the engine for grading: {error}") from error
    finally:
        client.close()


@contextmanager
def _engine_swarm(backend: str, course: Course, assignment: str):
    """On the engine, Swarm mode held for the whole run when a notebook uses it
    (:func:`course.grading.swarm_turns.swarm_held` says why)."""
    if backend != "docker":
        yield
        return
    import docker

    needed = bool(swarm_notebooks(course.root / "source" / assignment))
    with ExitStack() as stack:
        client = docker.DockerClient(base_url=f"unix://{engine_socket()}", timeout=300)
        stack.callback(client.close)
        try:
            stack.enter_context(swarm_held(client, needed))
        except docker.errors.DockerException as error:
            raise GradingError(f"cannot put the engine in Swarm mode to grade: {error}") from None
        yield


def engine_socket() -> str:
    """The Docker engine's Unix socket, from DOCKER_HOST or the default path."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise GradingError(
            f"DOCKER_HOST={host}: confined grading hands the engine in as a Unix socket only"
        )
    return host.removeprefix("unix://")


def grade_one(job: dict) -> SubmissionResult:
    """Autograde one submission against a private gradebook (runs in a worker process)."""
    from .gradebook import sqlite_url

    student, root = job["student"], Path(job["root"])
    result = SubmissionResult(student, ok=False)
    db_path = Path(job["workdir"]) / f"{student}.db"
    shutil.copy(job["template"], db_path)
    result.db_path = str(db_path)
    db_url = sqlite_url(db_path)
    folder = root / "submitted" / student / job["assignment"]
    result.submitted = sorted(p.stem for p in folder.glob("*.ipynb"))
    os.environ["COURSE_BACKEND"] = job["backend"]
    started = time.monotonic()
    try:
        result.restored = tampered_cells(root, job["assignment"], student, db_url)
        config = autograde_config(
            root, db_url, job["timeout"], job["backend"], job.get("confine", True),
            job["assignment"],
        )
        api = make_api(root, config)
        outcome = api.autograde(job["assignment"], student, force=True, create=True)
        result.ok = bool(outcome["success"])
        graded = root / "autograded" / student / job["assignment"]
        result.flagged = [line for e in read_evidence(graded) for line in e.lines()]
        if not result.ok:
            log = (outcome.get("log") or "").strip().splitlines()
            errors = [line for line in log if "ERROR" in line or "Error" in line]
            result.error = "\n".join(errors[-8:] or log[-8:] or [outcome.get("error", "")])
    except Exception as error:  # report, never break the batch
        result.error = f"{type(error).__name__}: {error}"
    result.seconds = time.monotonic() - started
    return result


def _notebook_count(course: Course, assignment: str, student: str) -> int:
    return len(list((course.root / "submitted" / student / assignment).glob("*.ipynb")))


def _template(real_db_url: str, course_id: str, assignment: str, workdir: Path) -> Path:
    from nbgrader.api import Gradebook

    from .gradebook import copy_assignment, sqlite_url

    path = workdir / "template.db"
    if real_db_url.startswith("sqlite:///"):
        # a copy of the real gradebook is a faster template than a new one, and as good: the
        # merge reads only the graded student's rows from each private copy
        with Gradebook(real_db_url, course_id) as real:
            if assignment not in {a.name for a in real.assignments}:
                raise GradingError(
                    f"assignment {assignment!r} is not in the gradebook {real_db_url}: "
                    "run `course release` first"
                )
        shutil.copy(real_db_url.removeprefix("sqlite:///"), path)
        return path
    with (
        Gradebook(real_db_url, course_id) as real,
        Gradebook(sqlite_url(path), course_id) as template,
    ):
        copy_assignment(real, template, assignment)
    return path


def _merge(real, result: SubmissionResult, assignment: str, course_id: str, late) -> None:
    """Merge one worker's private gradebook into ``real``; the result gets its scores."""
    from nbgrader.api import Gradebook

    from .gradebook import merge_submission, sqlite_url

    with Gradebook(sqlite_url(Path(result.db_path)), course_id) as private:
        merge_submission(private, real, assignment, result.student, set(result.submitted), late)
    submission = real.find_submission(assignment, result.student)
    result.penalty = submission.late_submission_penalty or 0.0
    result.score = submission.score - result.penalty
    result.max_score = submission.max_score


def grade(
    course: Course,
    assignment: str,
    students: list[str] | None = None,
    jobs: int = 2,
    backend: str = "sim",
    timeout: int | None = None,
    db_url: str | None = None,
    on_result: Callable[[SubmissionResult], None] | None = None,
    confine: bool = True,
) -> GradeReport:
    """Autograde submissions in parallel and merge them into the gradebook.

    Args:
        course: the course (its ``submitted/`` folder holds the submissions).
        assignment: the assignment to grade.
        students: who to grade (default: everyone with a submission).
        jobs: worker processes.
        backend: ``sim`` or ``docker``, given to the kernels as ``COURSE_BACKEND``.
        timeout: seconds a cell may run (default: ``Execute.timeout`` of nbgrader_config.py).
        db_url: the gradebook (default: the course's, ``sqlite:///<root>/gradebook.db``).
        on_result: called in the parent as each submission finishes (progress bars).
        confine: run every kernel in the sandbox (:mod:`course.grading.sandbox`); where it
            cannot run, grading stops with a :class:`GradingError` that says how to get it.

    Returns:
        a :class:`GradeReport`; the gradebook holds the grades of every successful submission.
    """
    import warnings

    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's own SAWarning
    if backend not in ("sim", "docker"):
        raise GradingError(f"unknown backend {backend!r} (sim or docker)")
    if confine and confinement_problem():
        raise GradingError(
            f"cannot confine the grading kernels: {confinement_problem()}\n"
            f"To grade anyway, with student code running as you, unconfined: {UNCONFINED_FLAG}"
        )
    tools_on_path()
    if backend == "docker" and confine:
        _prepare_engine()
    config = load_config(course.root, db_url=db_url, timeout=timeout)
    real_db_url = db_url_of(course.root, config)  # --db, normalized by load_config
    course_id = config.CourseDirectory.get("course_id", "default_course")
    students = submitted_students(course, assignment) if students is None else sorted(students)
    report = GradeReport(assignment)
    started = time.monotonic()
    with one_grader(course), _engine_swarm(backend, course, assignment), \
            tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        workdir = Path(tmp)
        template = _template(real_db_url, course_id, assignment, workdir)
        common = dict(
            root=str(course.root),
            assignment=assignment,
            template=str(template),
            workdir=str(workdir),
            backend=backend,
            timeout=timeout,
            confine=confine,
        )
        largest_first = sorted(students, key=lambda s: -_notebook_count(course, assignment, s))
        pending = {s: dict(common, student=s) for s in largest_first}
        done: dict[str, SubmissionResult] = {}
        late = AssignLatePenalties(config=config)
        with Gradebook(real_db_url, course_id) as real:

            def merge_ready() -> None:
                """Merge, in student order, every result whose predecessors are merged."""
                while len(report.results) < len(students) and students[len(report.results)] in done:
                    result = done[students[len(report.results)]]
                    report.results.append(result)
                    if result.ok:
                        _merge(real, result, assignment, course_id, late)

            while pending:
                executor = ProcessPoolExecutor(
                    max_workers=max(1, min(jobs, len(pending))),
                    mp_context=get_context("spawn"),
                    initializer=_warm_up,
                    initargs=(str(workdir),),
                )
                with executor:
                    futures = {executor.submit(grade_one, job): s for s, job in pending.items()}
                    for future in as_completed(futures):
                        student = futures[future]
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            continue  # a worker died: this round's unfinished students go again
                        except Exception as error:
                            result = SubmissionResult(student, ok=False, error=repr(error))
                        done[student] = result
                        pending.pop(student, None)
                        if on_result:
                            on_result(result)
                        merge_ready()  # while the workers grade on
                broken = [s for s in pending if s in futures]
                for student in broken:  # a second crash of the same student is final
                    if pending[student].get("retried"):
                        done[student] = SubmissionResult(
                            student, ok=False, error="worker process died"
                        )
                        pending.pop(student)
                    else:
                        pending[student]["retried"] = True
                merge_ready()
    report.seconds = time.monotonic() - started
    return report
