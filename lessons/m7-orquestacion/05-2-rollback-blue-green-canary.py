# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 (2.ª parte) · El rollback de Swarm, blue-green y canary
#
# **Módulo 7 — Introducción a Orquestación**
#
# En la primera parte (`05-1-rolling-updates`) escribiste un *rolling update* con *health gating*
# que vuelve solo a la versión anterior cuando la nueva no pasa su health check. Aquí verás
# primero a **Swarm** hacer lo mismo por sí solo, separarás las dos preguntas que hace un health
# check (*liveness* y *readiness*) y construirás las otras dos estrategias del módulo:
# **blue-green deployments** y **canary releases**.
#
# | paso | qué haces | puntos |
# |---|---|---|
# | 1 | el rollback automático de Swarm (`failure_action="rollback"`): predecir y observar | — |
# | 2 | `blue_green`: dos entornos y un cambio de golpe (R/S) | 2 |
# | 3 | `replicas_canary` (P) y `lanzar_canary` (R/S): una parte pequeña del tráfico a la versión nueva | 1 + 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import itertools
import math
import random
import warnings
from collections import Counter

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

from docker.types import EndpointSpec, RollbackConfig, ServiceMode, UpdateConfig
from IPython.display import display

from course import Lab
from course.probe import Reply
from course.views import ClusterGrid, RolloutTimeline, TrafficChart

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# ## Las piezas del laboratorio (las de la 1.ª parte)
#
# Las mismas que en la primera parte: réplicas de `course/web:<versión>` con `app=web` y su
# etiqueta `version` (la **v3 está rota**: su `/health` falla y nunca llega a `healthy`), la
# **sonda** que hace de usuarios y solo manda tráfico a las réplicas en marcha, sanas y que
# cumplen su selector, y los ayudantes `crear_replica`, `de_version` y `reiniciar`. Se añade
# `esperar_sanas`, ya escrita: es la que hiciste en la primera parte. Para esperar, usa
# `sonda.esperar(segundos)`.

# %% nbgrader={"grade": false, "grade_id": "sonda", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Sonda:
    """Tráfico de usuarios contra las réplicas sanas que cumplen `selector`."""

    def __init__(self, selector, paso=0.2, semilla=SEED):
        self.selector = dict(selector)
        self.paso = paso
        self.aleatoria = False            # True: elige réplica al azar (con semilla) y no por turnos
        self.rng = random.Random(semilla)
        self.turno = 0
        self.muestras = []                # [(hora, Reply)]
        self.estados = []                 # [(hora, en_marcha, sanas)] de todas las réplicas app=...

    def replicas(self):
        """Las réplicas en marcha de la app (de cualquier color o versión), por nombre."""
        vivas = client.containers.list(filters=lab.filters(app=self.selector["app"]))
        return sorted(vivas, key=lambda c: c.name)

    def endpoints(self):
        """Las que reciben tráfico: en marcha, sanas y con todas las etiquetas del selector."""
        todas = self.replicas()
        sanas = [c for c in todas if c.health == "healthy"]
        self.estados.append((lab.now(), len(todas), len(sanas)))
        return [c for c in sanas
                if all(c.labels.get(k) == v for k, v in self.selector.items())]

    def _una(self, destinos):
        if not destinos:
            respuesta = Reply(False, None, error="ninguna réplica sana")
        else:
            if self.aleatoria:
                elegida = self.rng.choice(destinos)
            else:
                elegida = destinos[self.turno % len(destinos)]
                self.turno += 1
            respuesta = lab.http_get(elegida)
        self.muestras.append((lab.now(), respuesta))
        return respuesta

    def peticion(self):
        """Una petición de un usuario, ahora."""
        return self._una(self.endpoints())

    def rafaga(self, n):
        """`n` peticiones seguidas contra las réplicas sanas de este momento."""
        destinos = self.endpoints()
        return [self._una(destinos) for _ in range(n)]

    def esperar(self, segundos):
        """Deja pasar `segundos` mandando una petición cada `paso` segundos."""
        fin = lab.now() + segundos
        while lab.now() < fin:
            self.peticion()
            lab.sleep(self.paso)

    def entre(self, desde, hasta):
        """Las muestras tomadas entre dos horas."""
        return [(t, r) for t, r in self.muestras if desde <= t <= hasta]


_numero = itertools.count(1)


def crear_replica(version, **etiquetas):
    """Arranca una réplica nueva de `course/web:<version>` con app=web y version=<version>."""
    return client.containers.run(
        lab.image("web", version), detach=True, name=lab.name(f"web-v{version}-{next(_numero)}"),
        labels=lab.labels(app="web", version=str(version), **etiquetas),
    )


def de_version(version, todas=False):
    """Las réplicas de la app web de una versión (`todas=True`: también las paradas)."""
    return client.containers.list(all=todas, filters=lab.filters(app="web", version=str(version)))


def reiniciar(version, n=3, **etiquetas):
    """Borra todas las réplicas web y deja `n` de `version` en marcha y sanas."""
    for c in client.containers.list(all=True, filters=lab.filters(app="web")):
        c.remove(force=True)
    nuevas = [crear_replica(version, **etiquetas) for _ in range(n)]
    for _ in range(60):
        for c in nuevas:
            c.reload()
        if all(c.health == "healthy" for c in nuevas):
            return nuevas
        lab.sleep(0.25)
    raise RuntimeError(f"Las réplicas v{version} no llegaron a estar sanas.")


def esperar_sanas(contenedores, plazo):
    """La de la 1.ª parte: True si todas pasan su health check antes de `plazo` segundos; False
    en cuanto alguna está 'unhealthy' o parada, o si se agota el plazo."""
    fin = lab.now() + plazo
    while True:
        for c in contenedores:
            c.reload()
        if any(c.status != "running" or c.health == "unhealthy" for c in contenedores):
            return False
        if all(c.health == "healthy" for c in contenedores):
            return True
        if lab.now() >= fin:
            return False
        sonda.esperar(0.25)


def _fallidas(muestras):
    return [(round(t, 2), r.error) for t, r in muestras if not r.ok]


sonda = Sonda({"app": "web"})

# %% [markdown]
# ## 1. Swarm lo hace solo: `failure_action="rollback"`
#
# Tu `desplegar` de la primera parte volvía a la v2 cuando la v3 no se ponía sana. Un servicio de
# Swarm hace lo mismo si su `UpdateConfig` lo pide con `failure_action="rollback"`: si una tarea
# nueva falla (o termina) durante la actualización, o dentro de `monitor` después de arrancar, y
# las fallidas pasan de `max_failure_ratio`, Swarm vuelve solo a la especificación anterior
# (`PreviousSpec`) y la despliega con su `RollbackConfig`. Lo cuenta en
# `UpdateStatus.State`: `updating` → `rollback_started` → `rollback_completed`. (Con
# `failure_action="pause"`, el valor por defecto de Swarm, se quedaría en `paused`, y con
# `"continue"` seguiría adelante con las tareas rotas.)
#
# El servicio `tienda` tiene 3 réplicas de la v2, de una en una y arrancando la nueva antes de
# parar la vieja (`start-first`), y vigila cada tarea 2 s. Para Swarm, una tarea con health check
# no está en marcha (`running`) hasta que pasa el primero; si el contenedor pasa a `unhealthy`,
# Swarm para el contenedor (SIGTERM, y SIGKILL si no termina en su periodo de gracia) y la tarea
# queda `failed` («`dockerexec: unhealthy container`»).

# %% nbgrader={"grade": false, "grade_id": "swarm_tienda", "locked": true, "schema_version": 3, "solution": false, "task": false}
SEGUNDO = 1_000_000_000  # las duraciones de Swarm van en nanosegundos
swarm_iniciado_aqui = lab.ensure_swarm()
tienda = client.services.create(
    lab.image("web", 2), name=lab.name("tienda"),
    labels=lab.labels(app="tienda"), container_labels=lab.labels(app="tienda"),
    mode=ServiceMode("replicated", replicas=3), endpoint_spec=EndpointSpec(mode="dnsrr"),
    update_config=UpdateConfig(parallelism=1, delay=0, failure_action="rollback",
                               monitor=2 * SEGUNDO, max_failure_ratio=0, order="start-first"),
    rollback_config=RollbackConfig(parallelism=1, delay=0, failure_action="pause",
                                   monitor=1 * SEGUNDO, max_failure_ratio=0, order="start-first"),
)


def tareas_tienda():
    """(slot, versión, estado, error) de cada tarea de la tienda, por slot."""
    return sorted((t["Slot"], int(t["Spec"]["ContainerSpec"]["Image"].rsplit(":", 1)[1]),
                   t["Status"]["State"], t["Status"].get("Err") or "") for t in tienda.tasks())


for _ in range(120):
    if sum(1 for *_, estado, _ in tareas_tienda() if estado == "running") == 3:
        break
    lab.sleep(0.5)
print("La tienda, antes:", [(slot, f"v{v}", estado) for slot, v, estado, _ in tareas_tienda()])

# %% [markdown]
# **Antes de ejecutar la celda siguiente, predice.** Vas a pedir a Swarm la v3 (la rota). ¿En qué
# estado acabará `UpdateStatus.State` (`"completed"`, `"paused"` o `"rollback_completed"`)? ¿Qué
# versión tendrá la especificación del servicio al final (2 o 3)? ¿Cuántas tareas v2 quedarán en
# marcha? Escribe tus respuestas en lugar de los `None` (no se corrigen: fallar una predicción
# no resta nada).

# %%
prediccion_swarm = {"estado_final": None, "version_final": None, "v2_en_marcha": None}

# %% nbgrader={"grade": false, "grade_id": "swarm_rollback", "locked": true, "schema_version": 3, "solution": false, "task": false}
tienda.reload()
inicio_swarm = lab.now()
tienda.update(image=lab.image("web", 3))
estados_swarm = []  # [(segundos desde el update, UpdateStatus.State)], cada vez que cambia
for _ in range(480):
    tienda.reload()
    estado = (tienda.attrs.get("UpdateStatus") or {}).get("State")
    if not estados_swarm or estados_swarm[-1][1] != estado:
        estados_swarm.append((round(lab.now() - inicio_swarm, 1), estado))
    if estado in ("rollback_completed", "rollback_paused", "paused", "completed"):
        break
    lab.sleep(0.25)
for segundos, estado in estados_swarm:
    print(f"  +{segundos:5.1f} s  UpdateStatus.State = {estado}")
print("Mensaje de Swarm:", (tienda.attrs.get("UpdateStatus") or {}).get("Message"))
for slot, v, estado, error in tareas_tienda():
    print(f"  slot {slot}: v{v} {estado} {error}")
display(ClusterGrid(lab, app="tienda", title="La tienda tras pedir la v3"))
if estados_swarm[-1][1] != "rollback_completed":
    raise RuntimeError(f"Swarm debía volver solo a la v2 y su UpdateStatus acabó en "
                       f"{estados_swarm[-1][1]!r}: {estados_swarm}")

# %%
version_spec = int(tienda.attrs["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].rsplit(":", 1)[1])
observado_swarm = {"estado_final": estados_swarm[-1][1], "version_final": version_spec,
                   "v2_en_marcha": sum(1 for _, v, estado, _ in tareas_tienda()
                                       if v == 2 and estado == "running")}
_por_que_swarm = {
    "estado_final": "la tarea v3 nunca pasó su health check y failure_action='rollback' pidió "
                    "volver",
    "version_final": "el rollback copia PreviousSpec (la v2) en la especificación",
    "v2_en_marcha": "con start-first Swarm no para ninguna v2 antes de que la v3 esté en marcha, "
                    "y la v3 nunca lo estuvo",
}
for clave, valor in observado_swarm.items():
    tuya = prediccion_swarm.get(clave)
    veredicto = ("no escribiste predicción" if tuya is None
                 else "acertaste" if tuya == valor else "Swarm hizo otra cosa")
    print(f"{clave}: predijiste {tuya!r} y pasó {valor!r} ({veredicto}). Por qué: "
          f"{_por_que_swarm[clave]}.")
tienda.remove()

# %% [markdown]
# Es lo mismo que hacía tu `desplegar`, pero escrito en la especificación del servicio: nadie
# tiene que estar mirando. Kubernetes, en cambio, **no** vuelve atrás por sí mismo: un Deployment
# con una versión que no pasa su `readinessProbe` se queda parado y, pasado
# `progressDeadlineSeconds`, se marca `ProgressDeadlineExceeded`; volver es `kubectl rollout
# undo` (o tu herramienta de despliegue).
#
# ## Liveness y readiness
#
# Un health check contesta a dos preguntas distintas, y Kubernetes las separa en dos sondas:
#
# | pregunta | Kubernetes | si falla | para qué sirve en una actualización |
# |---|---|---|---|
# | ¿puede recibir tráfico **ya**? | `readinessProbe` | el Pod sale de los *endpoints* del Service; **nadie lo reinicia** | es el *health gating*: una réplica nueva no cuenta como disponible hasta que está *ready* |
# | ¿sigue **vivo**? | `livenessProbe` | el kubelet **reinicia** el contenedor | nada: sirve para un proceso colgado que ya no se va a recuperar solo |
#
# En Swarm, el `HEALTHCHECK` de la imagen (o el de la especificación del servicio) hace las dos
# cosas a la vez: una tarea que aún no lo pasa no está `running` ni recibe tráfico (readiness), y
# una tarea en marcha que pasa a `unhealthy` se da por fallida y el orquestador la sustituye por
# otra (liveness: la autocuración de contenedores no saludables). Acabas de verlo: la v3 nunca
# llegó a `running`, y su tarea quedó `failed` por *unhealthy container*. Tu sonda, como un
# Service, usa el health check como *readiness*: solo manda tráfico a réplicas `healthy`.
#
# ## 2. Blue-green (2 puntos)
#
# En un rolling update, durante un rato, responden las dos versiones a la vez (lo viste en la
# gráfica de la primera parte). Un **blue-green deployment** evita esa convivencia: mantiene **dos entornos completos**. El
# "azul" sirve todo el tráfico; el "verde" se arranca al lado con la versión nueva, se comprueba
# y, cuando está sano, el tráfico **cambia de golpe** de uno a otro. Si algo va mal después,
# volver atrás es cambiar de nuevo. El precio: el doble de réplicas durante el cambio.
#
# ```
#            antes                 durante                   después
#   sonda ─▶ [azul v1 ×3]    sonda ─▶ [azul v1 ×3]       sonda ─▶ [verde v2 ×3]
#                                     [verde v2 ×3] (se comprueba)
# ```
#
# Aquí el "router" es el selector de la sonda: `sonda.selector["color"]` dice qué color recibe
# tráfico. Escribe `blue_green(version)`:
#
# 1. el color nuevo es el otro (`"verde"` si ahora es `"azul"`, y al revés);
# 2. arranca tantas réplicas de `version` como hay del color actual, con
#    `crear_replica(version, color=<nuevo>)`, y espera con `esperar_sanas(nuevas, 15)`;
# 3. si están sanas: cambia `sonda.selector["color"]` al nuevo, borra las del color viejo y
#    devuelve `True`;
# 4. si no: borra las nuevas, no toques el selector y devuelve `False`.

# %% nbgrader={"grade": false, "grade_id": "blue_green", "locked": false, "schema_version": 3, "solution": true, "task": false}
def blue_green(version):
    ### BEGIN SOLUTION
    actual = sonda.selector["color"]
    nuevo = "verde" if actual == "azul" else "azul"
    viejas = [c for c in sonda.replicas() if c.labels.get("color") == actual]
    nuevas = [crear_replica(version, color=nuevo) for _ in viejas]
    if not esperar_sanas(nuevas, 15):
        for c in nuevas:
            c.remove(force=True)
        return False
    sonda.selector["color"] = nuevo
    for c in viejas:
        c.remove(force=True)
    return True
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "bg_demo", "locked": true, "schema_version": 3, "solution": false, "task": false}
reiniciar(1, color="azul")
sonda.selector = {"app": "web", "color": "azul"}
inicio_bg = lab.now()
sonda.esperar(1)
cambio_bg = blue_green(2)
sonda.esperar(1)
fin_bg = lab.now()
muestras_bg = sonda.entre(inicio_bg, fin_bg)
display(RolloutTimeline({"Blue-green v1 → v2": muestras_bg}, title="Blue-green"))

# %% nbgrader={"grade": true, "grade_id": "test_blue_green", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_versiones = [r.version for _, r in muestras_bg if r.ok]
assert cambio_bg is True, f"Con la v2 sana blue_green debía devolver True y devolvió {cambio_bg!r}."
assert sonda.selector.get("color") == "verde", (
    f"Tras el cambio el tráfico debe ir al verde y el selector dice {sonda.selector}.")
assert _versiones and _versiones[-1] == 2, f"Tras el cambio debía responder la v2: {_versiones[-5:]}."
### BEGIN HIDDEN TESTS
assert not _fallidas(muestras_bg), f"El cambio no debía costar peticiones: {_fallidas(muestras_bg)[:5]}."
_primera_v2 = _versiones.index(2)
assert set(_versiones[_primera_v2:]) == {2}, (
    f"Blue-green cambia de golpe: tras la primera respuesta v2 no debe volver a responder v1; "
    f"llegó {_versiones}.")
assert _versiones[0] == 1, "Antes del cambio respondía el azul (v1)."
_colores = sorted(c.labels.get("color") for c in sonda.replicas())
assert _colores == ["verde"] * 3, f"Debían quedar 3 réplicas verdes y quedan {_colores}."
_t0 = lab.now()
_r = blue_green(3)
assert _r is False, f"Con la v3 rota blue_green debía devolver False y devolvió {_r!r}."
assert sonda.selector.get("color") == "verde", "Si el nuevo color no está sano, el selector no cambia."
assert not de_version(3, todas=True), "Las réplicas v3 que no sirvieron deben borrarse."
_v = sorted(c.labels.get("version") for c in sonda.replicas())
assert _v == ["2", "2", "2"], f"Debían seguir las 3 v2 verdes y hay {_v}."
assert not _fallidas(sonda.entre(_t0, lab.now())), "Un cambio fallido no debe costar peticiones."
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Canary (1 + 2 puntos)
#
# Un **canary release** (por los canarios que los mineros bajaban a la mina para detectar gas)
# manda **una parte pequeña** del tráfico a la versión nueva, mira cómo le va y solo entonces
# sigue. La forma más sencilla, sin balanceadores especiales: **proporción de réplicas**. Con 4
# réplicas v1 y 1 v2 detrás del mismo balanceador, más o menos 1 de cada 5 usuarios ve la v2.
#
# Primero, Python puro. Escribe `replicas_canary(total, fraccion)`: devuelve
# `(estables, canary)`, con `canary = round(total * fraccion)` (el `round` de Python: al entero
# más cercano, y las mitades al par, `round(2.5) == 2`; ni `math.ceil` ni `int`) pero **al menos 1** (si no, no
# hay canary) y **como mucho `total − 1`** (si no, no queda ninguna estable); y
# `estables = total − canary`. Con `total < 2` no se puede: `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "replicas_canary", "locked": false, "schema_version": 3, "solution": true, "task": false}
def replicas_canary(total, fraccion):
    ### BEGIN SOLUTION
    if total < 2:
        raise ValueError("un canary necesita al menos 2 réplicas")
    canary = min(total - 1, max(1, round(total * fraccion)))
    return total - canary, canary
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_replicas_canary", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
assert replicas_canary(5, 0.2) == (4, 1), f"Se esperaba (4, 1) y llegó {replicas_canary(5, 0.2)}."
### BEGIN HIDDEN TESTS
for _args, _esperado in [((10, 0.3), (7, 3)), ((10, 0.01), (9, 1)), ((4, 0.99), (1, 3)),
                         ((2, 0.5), (1, 1)), ((20, 0.1), (18, 2)), ((10, 0.12), (9, 1)),
                         ((10, 0.17), (8, 2))]:
    assert replicas_canary(*_args) == _esperado, (
        f"replicas_canary{_args}: se esperaba {_esperado} y llegó {replicas_canary(*_args)}.")
try:
    replicas_canary(1, 0.5)
except ValueError:
    pass
else:
    raise AssertionError("replicas_canary(1, 0.5) debía lanzar ValueError.")
### END HIDDEN TESTS

# %% [markdown]
# Ahora con réplicas. Escribe `lanzar_canary(version, fraccion)`: con las réplicas del color que
# recibe tráfico (`sonda.selector["color"]`) como estables,
#
# 1. calcula `(estables, canary)` con `replicas_canary(<cuántas hay>, fraccion)`;
# 2. arranca `canary` réplicas de `version` **con el mismo color** (así entran en el balanceador)
#    y espera a que estén sanas (`esperar_sanas(nuevas, 15)`); si no lo están, bórralas y
#    devuelve `[]`;
# 3. borra tantas estables como canarias arrancaste (el total no cambia) y devuelve la lista de
#    canarias.
#
# La sonda pasa a elegir réplica **al azar, con semilla** (`sonda.aleatoria = True`): así el
# reparto es el de un balanceador aleatorio y el resultado se puede repetir.

# %% nbgrader={"grade": false, "grade_id": "lanzar_canary", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lanzar_canary(version, fraccion):
    ### BEGIN SOLUTION
    color = sonda.selector["color"]
    estables = [c for c in sonda.replicas() if c.labels.get("color") == color]
    _, canary = replicas_canary(len(estables), fraccion)
    canarias = [crear_replica(version, color=color) for _ in range(canary)]
    if not esperar_sanas(canarias, 15):
        for c in canarias:
            c.remove(force=True)
        return []
    for c in estables[:canary]:
        c.remove(force=True)
    return canarias
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "canary_demo", "locked": true, "schema_version": 3, "solution": false, "task": false}
reiniciar(1, n=5, color="azul")
sonda.selector = {"app": "web", "color": "azul"}
sonda.aleatoria = True
canarias = lanzar_canary(2, 0.2)
sonda.rng = random.Random(SEED)  # la misma semilla, el mismo reparto en los dos motores
respuestas_canary = sonda.rafaga(100)
por_version = Counter(r.version for r in respuestas_canary if r.ok)
print(f"{len(canarias)} canaria(s); de 100 peticiones, v1: {por_version[1]}, v2: {por_version[2]}")
display(TrafficChart(respuestas_canary, title="Canary: 100 peticiones al azar", expected=20))

# %% nbgrader={"grade": true, "grade_id": "test_canary", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
assert len(canarias) == 1, f"Con 5 réplicas y 0,2 se esperaba 1 canaria y llegaron {len(canarias)}."
_v = sorted(c.labels.get("version") for c in sonda.replicas())
assert _v == ["1", "1", "1", "1", "2"], f"Se esperaban 4 réplicas v1 y 1 v2 en marcha y hay {_v}."
### BEGIN HIDDEN TESTS
assert all(r.ok for r in respuestas_canary), "Ninguna petición debía fallar durante el canary."
_cuota = por_version[2] / 100
assert 0.08 <= _cuota <= 0.35, (
    f"Con 1 de 5 réplicas la v2 debía recibir alrededor del 20 % y recibió el {_cuota:.0%}.")
assert all(c.labels.get("color") == "azul" for c in sonda.replicas()), (
    "Las canarias deben llevar el color de las estables para entrar en el balanceador.")
_r = lanzar_canary(3, 0.2)
assert _r == [], f"Con la v3 rota lanzar_canary debía devolver [] y devolvió {_r}."
assert not de_version(3, todas=True), "Las canarias v3 que no sirvieron deben borrarse."
assert len(sonda.replicas()) == 5, f"El total no debe cambiar: hay {len(sonda.replicas())} réplicas."
### END HIDDEN TESTS

# %% [markdown]
# ## Resumen
#
# | estrategia | cómo | precio | si la versión nueva falla |
# |---|---|---|---|
# | a mano | parar, borrar, arrancar | *downtime* | te enteras por los usuarios |
# | rolling update | por pasos, con maxSurge / maxUnavailable y *health gating* | conviven dos versiones un rato | Swarm con `failure_action=rollback` vuelve solo; Kubernetes se para y vuelves con `kubectl rollout undo` |
# | blue-green | un entorno entero al lado y cambio de golpe | el doble de réplicas durante el cambio | no se cambia; volver es cambiar otra vez |
# | canary | una proporción pequeña de réplicas nuevas | pocos usuarios ven la versión nueva antes que el resto | solo afecta a unos pocos; se retira |
#
# En Swarm todo esto es `docker service update` con `--update-parallelism`, `--update-order
# start-first` y `--update-failure-action rollback` (cuaderno 07); en Kubernetes, la
# `strategy` de un Deployment con `maxSurge` y `maxUnavailable`, `readinessProbe` para el
# *health gating* y `kubectl rollout undo` para volver atrás.
#
# Limpiamos todo lo que creó este cuaderno (y, si este cuaderno inició el Swarm y ya no queda
# nada en él, sale del modo Swarm):

