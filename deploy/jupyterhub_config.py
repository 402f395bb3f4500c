"""JupyterHub for the Módulo 7 course: one class, one instructor group, students as Unix users.

Start it as root from the class's shared environment (every user's server runs in it too, so it
must be one every user can run: docs/instructor.md §7 makes it in /opt/modulo7):

    /opt/modulo7/bin/jupyterhub -f /srv/curso-modulo7/deploy/jupyterhub_config.py

What it sets up, and why (nbgrader's own one-class JupyterHub demo is the model):

* **Users**: local Unix accounts, logged in with their passwords (PAM). Members of the group
  ``modulo7-profes`` are instructors, of ``modulo7-alumnos`` students; nobody else gets in.
* **Servers**: each user's JupyterLab runs as that user (``LocalProcessSpawner`` setuids), so the
  kernel can read only what the user can: homes are 0700 (``deploy/alta-usuarios.sh``).
* **nbgrader**: everyone gets the course id and the exchange (``deploy/jupyter/common``); students
  see only the *Assignments* panel and Validate (``deploy/jupyter/student``); instructors also the
  formgrader, on the course root ``~/modulo7`` (``deploy/jupyter/instructor``), opened in a tab of
  its own (JupyterHub forbids framing its pages, and nbgrader no longer relaxes that).
* **Exchange**: ``/srv/nbgrader/exchange``, writable by everyone (nbgrader's documented mode, plus
  the sticky bit); the inbound folder nbgrader makes inside it lets students hand in but not list
  each other's hand-ins, whose folder names end in a random string nobody can guess.
* **No Docker for students**: their accounts cannot open the engine's socket, so ``Lab("auto")``
  uses the kit's simulator and says so. Grading (``course grade``) runs confined either way.

Settings taken from the environment (defaults in brackets) so a test can run it on a free port:
``COURSE_HUB_URL`` [http://127.0.0.1:8000], ``COURSE_EXCHANGE`` [/srv/nbgrader/exchange],
``COURSE_HUB_STATE`` [/srv/jupyterhub] (the hub's database, cookie secret and proxy token).
"""

import grp
import os
import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub injects get_config)

DEPLOY = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the kit's venv: the hub, the proxy's client, every server
INSTRUCTORS, STUDENTS = "modulo7-profes", "modulo7-alumnos"
EXCHANGE = Path(os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange"))
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))

# nbgrader's exchange: everyone may write into it (nbgrader makes the per-course folders and
# their modes itself: outbound readable, inbound writable but not listable, by students). The
# sticky bit on top of nbgrader's documented 777: without it any student can rename the course's
# folder (owned by the instructor) and put a fake one in its place.
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)
STATE.mkdir(parents=True, exist_ok=True)
STATE.chmod(0o700)  # the cookie secret and the hub's database are the hub's alone

c.JupyterHub.bind_url = os.environ.get("COURSE_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {INSTRUCTORS, STUDENTS}
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per login on a hub

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120  # a cold machine imports JupyterLab, nbgrader and docker-py
c.Spawner.http_timeout = 120


def role(username: str) -> str:
    """``instructor`` or ``student``, from the user's Unix groups."""
    members = set(grp.getgrnam(INSTRUCTORS).gr_mem)
    primary = pwd.getpwnam(username).pw_gid
    return "instructor" if username in members or primary == grp.getgrnam(INSTRUCTORS).gr_gid \
        else "student"


def configure_server(spawner) -> None:
    """Each server reads the nbgrader settings of its role, then the class's shared ones."""
    name = spawner.user.name
    jupyter = DEPLOY / "jupyter"
    config_path = [str(jupyter / role(name)), str(jupyter / "common")]
    spawner.environment.update({
        "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path),
        "COURSE_EXCHANGE": str(EXCHANGE),
        # nbgrader's formgrader and autograde run `alembic` and `jupyter` by name.
        "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    })


c.Spawner.pre_spawn_hook = configure_server
