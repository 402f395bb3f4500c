"""nbgrader configured for one course root: the course's ``nbgrader_config.py`` plus overrides.

nbgrader's apps read their configuration from the current directory; the pipeline instead loads
the course root's file explicitly, so a throwaway course root (validate, ``--check``) and the real
one get the same settings, and a temporary gradebook can be swapped in with ``db_url``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def normalize_db_url(url: str) -> str:
    """``postgresql://...`` names the driver the kit installs (psycopg2-binary).

    SQLAlchemy 2 reads a bare ``postgresql://`` as psycopg 3, which is not installed.

    >>> normalize_db_url("postgresql://u:p@localhost/gb")
    'postgresql+psycopg2://u:p@localhost/gb'
    """
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg2://" + url[len(bare) :]
    return url


def load_config(root: Path, db_url: str | None = None, timeout: int | None = None) -> Config:
    """The course's nbgrader configuration, rooted at ``root``.

    Args:
        root: the course directory; its ``nbgrader_config.py`` is read when it exists.
        db_url: a gradebook URL that replaces the configured one.
        timeout: seconds a cell may run (``Execute.timeout``).
    """
    root = Path(root).resolve()
    config = Config()
    path = root / "nbgrader_config.py"
    if path.is_file():
        config.merge(PyFileConfigLoader(path.name, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    if db_url:
        config.CourseDirectory.db_url = normalize_db_url(db_url)
    elif "db_url" in config.CourseDirectory:
        config.CourseDirectory.db_url = normalize_db_url(config.CourseDirectory.db_url)
    if timeout is not None:
        config.Execute.timeout = int(timeout)
    return config


def db_url_of(root: Path, config: Config | None = None) -> str:
    """The gradebook URL nbgrader uses for ``root`` (default ``sqlite:///<root>/gradebook.db``)."""
    from nbgrader.coursedir import CourseDirectory

    config = config or load_config(root)
    return CourseDirectory(config=config).db_url


def tools_on_path() -> None:
    """Make nbgrader's gradebook creation work, and cheap.

    nbgrader asks the ``alembic`` command for the schema version each time it creates a
    gradebook (``nbgrader.api.get_alembic_version``): a subprocess that imports alembic and
    SQLAlchemy, about 2 to 3 s. The answer is the head revision of nbgrader's own migration
    scripts, which cannot change while nbgrader stays installed, so it is read here once, in
    process (:func:`alembic_head`, a tenth of a second). The command is still put on ``PATH``
    (an unactivated virtualenv, ``.venv/bin/course``, lacks its ``bin/`` there) for the case
    where the scripts hold more than one head and nbgrader's own answer is used.
    """
    import functools

    import nbgrader.api

    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path
    if not hasattr(nbgrader.api.get_alembic_version, "cache_info"):
        nbgrader.api.get_alembic_version = functools.cache(
            functools.partial(alembic_head, nbgrader.api.get_alembic_version)
        )


def alembic_head(fallback=None) -> str:
    """The head revision of nbgrader's migration scripts: what ``alembic heads`` prints first.

    >>> len(alembic_head())
    12
    """
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = AlembicConfig()
    config.set_main_option("script_location", ALEMBIC_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) != 1 and fallback is not None:
        return fallback()
    return heads[0]


def make_api(root: Path, config: Config | None = None, **overrides):
    """An :class:`nbgrader.apps.NbGraderAPI` on ``root`` with the course's configuration."""
    tools_on_path()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = config or load_config(root, **overrides)
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api
