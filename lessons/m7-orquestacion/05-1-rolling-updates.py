# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 (1.ª parte) · Rolling updates y rollback
#
# **Módulo 7 — Introducción a Orquestación**
#
# En el cuaderno 00 actualizaste tres réplicas a mano (parar, borrar, arrancar la nueva) y
# mediste peticiones fallidas: **downtime**. El módulo promete otra cosa de un orquestador:
#
# **Rolling Updates:**
# - Actualizar sin downtime
# - Gradual (1 a 1, 2 a 2, etc.)
# - Rollback si falla
#
# y entre los problemas que resuelven: **rollback automático si falla**, **blue-green
# deployments** y **canary releases**. El cuaderno 05 va en dos partes de una hora como mucho.
# En esta construyes con docker-py el *rolling update* y su rollback, mientras una **sonda** manda
# tráfico de usuarios todo el rato y anota cada respuesta; al final pondrás tu *rolling update*
# al lado de la actualización a mano: cero peticiones fallidas contra unas cuantas. En la
# segunda parte (`05-2-rollback-blue-green-canary`) verás a Swarm hacer solo el rollback y
# construirás blue-green y canary.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `limites`: maxSurge y maxUnavailable con el redondeo de Kubernetes (P) | 2 |
# | 2 | `plan_rolling`: los pasos de la actualización (P) | 3 |
# | 3 | `esperar_sanas`: esperar a que las réplicas nuevas pasen su health check (R/S) | 2 |
# | 4 | `desplegar`: ejecutar el plan con las réplicas de verdad, sin downtime (R/S) | 3 |
# | 5 | la versión rota: rollback automático con tu `desplegar` (R/S) | 2 |

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

from IPython.display import display

from course import Lab
from course.probe import Reply
from course.views import ClusterGrid, RolloutTimeline, TrafficChart

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# ## 1. Las piezas del laboratorio
#
# Todas las réplicas de este cuaderno son contenedores de `course/web:<versión>` con la etiqueta
# `app=web` y una etiqueta `version`. Tienen un **health check** (en su imagen): cada segundo
# Docker pide `/health` y, tras dos fallos seguidos, las marca `unhealthy`. Las versiones 1 y 2
# están bien; la **versión 3 está rota**: responde en `/`, pero su `/health` falla, así que nunca
# llega a `healthy`.
#
# La **sonda** hace de usuarios. Es un balanceador como el del cuaderno 04: cada petición va a la
# siguiente réplica **en marcha y sana** que cumpla su selector de etiquetas (igual que un
# `Service` de Kubernetes solo manda tráfico a los pods *ready*). Si no hay ninguna, la petición
# falla. Anota cada respuesta con su hora (`muestras`) y, en cada petición, cuántas réplicas había
# en marcha y cuántas sanas (`estados`).
#
# Lee el código: lo usarás. La regla de oro del cuaderno: **para esperar, usa
# `sonda.esperar(segundos)`**, que deja pasar el tiempo mandando tráfico (en el simulador el
# tiempo es virtual: es instantáneo).

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


sonda = Sonda({"app": "web"})

# %% [markdown]
# ## 2. Primero, a mano (lo que ya sabes del cuaderno 00)
#
# Tres réplicas v1 y la actualización del Ejercicio 1 del módulo: para cada réplica, borrarla y
# arrancar su sustituta v2, una tras otra, sin esperar a nada. La sonda manda una petición tras
# cada paso (y, tras cada borrado, la del usuario que estaba en esa réplica) y luego sigue tres
# segundos más, hasta que todo vuelve.

# %% nbgrader={"grade": false, "grade_id": "a_mano", "locked": true, "schema_version": 3, "solution": false, "task": false}
viejas = reiniciar(1)
inicio_mano = lab.now()
sonda.esperar(1)
for vieja in viejas:
    vieja.remove(force=True)
    # el usuario que tenía su sesión en la réplica borrada vuelve a pedir, sin reintentar en otra
    sonda.muestras.append((lab.now(), lab.http_get(vieja)))
    sonda.peticion()
    crear_replica(2)
    sonda.peticion()
sonda.esperar(3)
fin_mano = lab.now()
a_mano = sonda.entre(inicio_mano, fin_mano)
fallidas_mano = sum(1 for _, r in a_mano if not r.ok)
print(f"A mano: {len(a_mano)} peticiones, {fallidas_mano} fallidas.")
display(RolloutTimeline({"A mano (como en el cuaderno 00)": a_mano},
                        title="Actualización a mano: v1 → v2"))

# %% [markdown]
# Cada réplica borrada deja a su usuario (su sesión, su conexión abierta) con un error: nadie le
# avisa ni reintenta por él. Y las réplicas nuevas tardan un momento en pasar su health check: en
# el simulador, donde cada paso es instantáneo, ya no queda ninguna vieja cuando aún no hay
# ninguna nueva sana, y el servicio se queda **sin ninguna réplica sana**: todos ven errores. En
# un motor real los pasos tardan lo bastante para que a veces sí quede una sana; el usuario de la
# réplica borrada falla igual.
# El problema no es Docker: es el *orden* de las operaciones. Un rolling update lo arregla con
# dos números.
#
# ## 3. maxSurge y maxUnavailable (2 puntos, Python puro)
#
# Un Deployment de Kubernetes actualiza por pasos con dos límites (Swarm lo dice de otra forma,
# con los campos de `update_config`: `parallelism`, cuántas tareas cambia a la vez, y `order`,
# si arranca la nueva antes de parar la vieja, `start-first`, o al revés, `stop-first`, su valor
# por defecto; no tiene maxSurge ni maxUnavailable):
#
# - **maxSurge**: cuántas réplicas **de más** puede haber durante la actualización (por encima de
#   las `n` deseadas). Más *surge*, más rápido, pero más recursos.
# - **maxUnavailable**: cuántas réplicas **de menos** puede haber disponibles (por debajo de `n`).
#   Más *unavailable*, más rápido, pero menos capacidad mientras dura.
#
# ```
#  n = 4, maxSurge = 1, maxUnavailable = 0        n = 4, maxSurge = 0, maxUnavailable = 1
#  ┌──┬──┬──┬──┐                                  ┌──┬──┬──┬──┐
#  │v1│v1│v1│v1│  + │v2│   (5 = n + 1)            │v1│v1│v1│  │   (3 = n − 1)
#  └──┴──┴──┴──┘                                  └──┴──┴──┴──┘
# ```
#
# Pueden ser un número o un porcentaje de `n` (`"25%"`). Kubernetes redondea los porcentajes a
# favor de la seguridad: **maxSurge hacia arriba** y **maxUnavailable hacia abajo**. Por defecto
# los dos son `"25%"`. Las reglas de Kubernetes para el caso sin salida (con 0 y 0 no se podría
# dar ningún paso) son dos, y en sitios distintos:
#
# 1. La **validación** del API server rechaza el Deployment si los dos valores **escritos** son 0
#    (`0` o `"0%"`, en cualquier combinación).
# 2. Si los valores escritos no son 0 pero los dos **redondeados** salen 0 (por ejemplo `n = 3`,
#    `maxSurge = 0`, `maxUnavailable = "25%"`: 0,75 hacia abajo es 0), el controlador no se
#    atasca: toma **maxUnavailable = 1**.
#
# Escribe `limites(n, max_surge, max_unavailable)`: devuelve `(surge, unavailable)` en número de
# réplicas. Si los dos valores escritos son 0, lanza `ValueError`; si los dos salen 0 después de
# redondear, devuelve `(0, 1)`.

# %% nbgrader={"grade": false, "grade_id": "limites", "locked": false, "schema_version": 3, "solution": true, "task": false}
def limites(n, max_surge, max_unavailable):
    ### BEGIN SOLUTION
    def absoluto(valor, hacia_arriba):
        if isinstance(valor, str) and valor.endswith("%"):
            porcentaje = int(valor[:-1])
            if hacia_arriba:
                return -(-n * porcentaje // 100)
            return n * porcentaje // 100
        return int(valor)

    if all(str(v).rstrip("%") == "0" for v in (max_surge, max_unavailable)):
        raise ValueError("maxSurge y maxUnavailable no pueden ser 0 a la vez")
    surge = absoluto(max_surge, True)
    unavailable = absoluto(max_unavailable, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # la regla del controlador de Kubernetes: nunca atascado
    return surge, unavailable
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_limites", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _limites(*args):
    try:
        return limites(*args)
    except ValueError as e:
        raise AssertionError(f"limites{args} lanzó ValueError ({e}) y se esperaba un resultado: "
                             "solo los valores escritos 0 y 0 son un error.") from None


for _args, _esperado in [((3, 1, 0), (1, 0)), ((10, "25%", "25%"), (3, 2))]:
    assert _limites(*_args) == _esperado, (
        f"limites{_args}: se esperaba {_esperado} (surge hacia arriba, unavailable hacia abajo) "
        f"y llegó {_limites(*_args)}.")
### BEGIN HIDDEN TESTS
for _args, _esperado in [((4, "25%", "25%"), (1, 1)), ((3, "25%", "25%"), (1, 0)),
                         ((1, "25%", "25%"), (1, 0)), ((10, "0%", "30%"), (0, 3)),
                         ((7, "50%", 1), (4, 1)), ((5, 2, "10%"), (2, 0)), ((100, "1%", "99%"), (1, 99)),
                         ((3, 0, "25%"), (0, 1)), ((2, "0%", "25%"), (0, 1))]:
    assert _limites(*_args) == _esperado, (
        f"limites{_args}: se esperaba {_esperado} y llegó {_limites(*_args)} (si los dos salen 0 "
        "al redondear, Kubernetes toma maxUnavailable = 1).")
for _args in [(3, 0, 0), (3, "0%", "0%"), (3, 0, "0%")]:
    try:
        _r = limites(*_args)
    except ValueError:
        pass
    else:
        raise AssertionError(f"limites{_args}: los dos valores escritos son 0, se esperaba ValueError "
                             f"y llegó {_r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. El plan (3 puntos, Python puro)
#
# Con los límites en la mano, el controlador del Deployment repite dos movimientos hasta que no
# queda ninguna réplica vieja y hay `n` nuevas:
#
# 1. **Subir**: crear tantas nuevas como permite el tope `n + surge` (sin pasar de `n` nuevas):
#    `crear = min(n − nuevas, n + surge − (viejas + nuevas))`.
# 2. **Bajar**: cuando las nuevas están disponibles, borrar tantas viejas como permite el mínimo
#    `n − unavailable`: `borrar = min(viejas, viejas + nuevas − (n − unavailable))`.
#
# Cada movimiento con cantidad mayor que 0 es un paso del plan: `(accion, cantidad, viejas,
# nuevas)`, con `accion` `"crear"` o `"borrar"` y las cuentas **después** del paso. Un
# movimiento con cantidad 0 no es un paso.
#
# Escribe `plan_rolling(n, max_surge, max_unavailable)` (usa tu `limites`). Por ejemplo:
#
# ```python
# >>> plan_rolling(3, 1, 0)
# [("crear", 1, 3, 1), ("borrar", 1, 2, 1), ("crear", 1, 2, 2), ("borrar", 1, 1, 2),
#  ("crear", 1, 1, 3), ("borrar", 1, 0, 3)]
# ```

# %% nbgrader={"grade": false, "grade_id": "plan_rolling", "locked": false, "schema_version": 3, "solution": true, "task": false}
def plan_rolling(n, max_surge, max_unavailable):
    ### BEGIN SOLUTION
    surge, unavailable = limites(n, max_surge, max_unavailable)
    viejas, nuevas, pasos = n, 0, []
    while viejas > 0 or nuevas < n:
        crear = min(n - nuevas, n + surge - (viejas + nuevas))
        if crear > 0:
            nuevas += crear
            pasos.append(("crear", crear, viejas, nuevas))
        borrar = min(viejas, viejas + nuevas - (n - unavailable))
        if borrar > 0:
            viejas -= borrar
            pasos.append(("borrar", borrar, viejas, nuevas))
    return pasos
    ### END SOLUTION


plan_rolling(3, 1, 0)

# %% nbgrader={"grade": true, "grade_id": "test_plan_rolling", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
_p = plan_rolling(3, 1, 0)
_e = [("crear", 1, 3, 1), ("borrar", 1, 2, 1), ("crear", 1, 2, 2), ("borrar", 1, 1, 2),
      ("crear", 1, 1, 3), ("borrar", 1, 0, 3)]
assert [tuple(p) for p in _p] == _e, f"plan_rolling(3, 1, 0): se esperaba {_e} y llegó {_p}."
### BEGIN HIDDEN TESTS
_e = [("borrar", 1, 2, 0), ("crear", 1, 2, 1), ("borrar", 1, 1, 1), ("crear", 1, 1, 2),
      ("borrar", 1, 0, 2), ("crear", 1, 0, 3)]
assert [tuple(p) for p in plan_rolling(3, 0, 1)] == _e, (
    f"plan_rolling(3, 0, 1): se esperaba {_e} y llegó {plan_rolling(3, 0, 1)}.")
_e = [("crear", 3, 10, 3), ("borrar", 5, 5, 3), ("crear", 5, 5, 8), ("borrar", 5, 0, 8),
      ("crear", 2, 0, 10)]
assert [tuple(p) for p in plan_rolling(10, 3, 2)] == _e, (
    f"plan_rolling(10, 3, 2): se esperaba {_e} y llegó {plan_rolling(10, 3, 2)}.")
_rng = random.Random(SEED + 505)
for _ in range(40):
    _n = _rng.randint(1, 12)
    _s, _u = _rng.randint(0, 4), _rng.randint(0, 4)
    if _s == 0 and _u == 0:
        continue
    _v, _nv = _n, 0
    for _accion, _k, _viejas, _nuevas in plan_rolling(_n, _s, _u):
        assert _k > 0, f"plan_rolling({_n}, {_s}, {_u}): un paso con cantidad {_k}."
        _v, _nv = (_v, _nv + _k) if _accion == "crear" else (_v - _k, _nv)
        assert (_v, _nv) == (_viejas, _nuevas), (
            f"plan_rolling({_n}, {_s}, {_u}): las cuentas del paso no cuadran: {(_accion, _k, _viejas, _nuevas)}.")
        assert _v + _nv <= _n + _s, f"plan_rolling({_n}, {_s}, {_u}): {_v + _nv} réplicas pasan de n + surge."
        assert _v + _nv >= _n - _u, f"plan_rolling({_n}, {_s}, {_u}): {_v + _nv} réplicas bajan de n − unavailable."
    assert (_v, _nv) == (0, _n), f"plan_rolling({_n}, {_s}, {_u}) debe acabar en (0, {_n}) y acaba en {(_v, _nv)}."
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Health gating: esperar a que las nuevas estén sanas (2 puntos)
#
# El plan supone que una réplica nueva está **disponible** en cuanto se crea. En la realidad
# tarda en arrancar, y puede que **nunca** funcione (la v3). El orquestador no borra ninguna
# vieja hasta que las nuevas pasan su health check: eso es el *health gating*, y es lo que hace
# que el rollback sea posible.
#
# Escribe `esperar_sanas(contenedores, plazo)`: en un bucle **acotado** (usa `lab.now()` para
# medir el plazo y `sonda.esperar(...)`, con pasos de un cuarto de segundo, para esperar),
# recarga cada contenedor (`c.reload()`) y mira `c.health`:
#
# - si **todos** están `"healthy"`, devuelve `True`;
# - si **alguno** está `"unhealthy"` o ya no está en marcha (`c.status != "running"`), devuelve
#   `False` enseguida, sin agotar el plazo;
# - si pasan `plazo` segundos sin decidirse, devuelve `False`.

# %% nbgrader={"grade": false, "grade_id": "esperar_sanas", "locked": false, "schema_version": 3, "solution": true, "task": false}
def esperar_sanas(contenedores, plazo):
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_esperar_sanas", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_buena = crear_replica(2, prueba="si")
_t = lab.now()
assert esperar_sanas([_buena], 10) is True, "Una réplica v2 debería estar sana en menos de 10 s."
### BEGIN HIDDEN TESTS
_rota = crear_replica(3, prueba="si")
_t = lab.now()
_r = esperar_sanas([_buena, _rota], 30)
_dt = lab.now() - _t
assert _r is False, f"Con una réplica v3 (rota) se esperaba False y llegó {_r}."
assert _dt < 15, f"Al ver 'unhealthy' hay que rendirse enseguida y se esperaron {_dt:.1f} s de 30."
_parada = crear_replica(2, prueba="si")
_parada.stop(timeout=0)
assert esperar_sanas([_parada], 10) is False, "Una réplica parada no va a estar sana: se esperaba False."
_lenta = crear_replica(2, prueba="si")
_t = lab.now()
assert esperar_sanas([_lenta], 0.1) is False, "Con un plazo de 0,1 s se esperaba False."
assert lab.now() - _t < 5, "El plazo se pasó de largo: el bucle debe mirar la hora."
for _c in client.containers.list(all=True, filters=lab.filters(prueba="si")):
    _c.remove(force=True)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. El rolling update de verdad (3 puntos)
#
# Escribe `desplegar(version, max_surge=1, max_unavailable=0, n=3, plazo=15)`: actualiza las `n`
# réplicas web en marcha (todas de una misma versión: la **anterior**) a `version` siguiendo tu
# `plan_rolling`:
#
# - `("crear", k, ...)`: arranca `k` réplicas nuevas con `crear_replica(version)` y espera con
#   `esperar_sanas(lote, plazo)`;
# - `("borrar", k, ...)`: borra `k` réplicas viejas (`remove(force=True)`).
#
# Si `esperar_sanas` devuelve `False`, la versión nueva no sirve: **rollback**. Borra todas las
# réplicas nuevas que creaste, arranca réplicas de la versión anterior hasta volver a tener `n`
# en marcha (si habías borrado alguna), espera a que estén sanas y devuelve `"rollback"`. Si todo
# va bien, devuelve `"completado"`.
#
# La versión anterior está en la etiqueta `version` de las réplicas en marcha
# (`c.labels["version"]`, un texto). Para ver las réplicas en marcha: `sonda.replicas()`.

# %% nbgrader={"grade": false, "grade_id": "desplegar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def desplegar(version, max_surge=1, max_unavailable=0, n=3, plazo=15):
    ### BEGIN SOLUTION
    viejas = sonda.replicas()
    anterior = int(viejas[0].labels["version"])
    nuevas = []
    for accion, k, _, _ in plan_rolling(n, max_surge, max_unavailable):
        if accion == "crear":
            lote = [crear_replica(version) for _ in range(k)]
            nuevas += lote
            if not esperar_sanas(lote, plazo):
                for c in nuevas:
                    c.remove(force=True)
                repuestas = [crear_replica(anterior) for _ in range(n - len(viejas))]
                esperar_sanas(repuestas, plazo)
                return "rollback"
        else:
            for c in viejas[:k]:
                c.remove(force=True)
            viejas = viejas[k:]
    return "completado"
    ### END SOLUTION


# %% [markdown]
# **Antes de ejecutar la celda siguiente, predice.** Con `n = 3`, maxSurge 1 y maxUnavailable 0:
# ¿cuántas réplicas habrá en marcha, como mucho, a la vez? ¿Cuántas sanas, como poco? (Son las
# marcas `en marcha/sanas` que verás en la gráfica del apartado 8.) ¿Cuántas peticiones de la
# sonda fallarán? Escribe tus números en lugar de los `None` (son para ti: no se corrigen, y
# fallar una predicción no resta nada) y compáralos después con lo que vio la sonda.

# %%
mi_prediccion = {"maximo_en_marcha": None, "minimo_sanas": None, "fallidas": None}

# %% nbgrader={"grade": false, "grade_id": "rolling_v2", "locked": true, "schema_version": 3, "solution": false, "task": false}
reiniciar(1)
inicio_v2 = lab.now()
resultado_v2 = desplegar(2)
sonda.esperar(1)
fin_v2 = lab.now()
rolling_v2 = sonda.entre(inicio_v2, fin_v2)
print(f"desplegar(2) → {resultado_v2!r}: {len(rolling_v2)} peticiones, "
      f"{sum(1 for _, r in rolling_v2 if not r.ok)} fallidas.")
display(ClusterGrid(lab, app="web", title="Después del rolling update"))

# %%
_vistos = [(total, sanas) for t, total, sanas in sonda.estados if inicio_v2 <= t <= fin_v2]
observado = {"maximo_en_marcha": max((total for total, _ in _vistos), default=None),
             "minimo_sanas": min((sanas for _, sanas in _vistos), default=None),
             "fallidas": sum(1 for _, r in rolling_v2 if not r.ok)}
_por_que = {"maximo_en_marcha": "n + maxSurge = 3 + 1: una nueva arranca antes de borrar una vieja",
            "minimo_sanas": "n − maxUnavailable = 3 − 0: no se borra ninguna vieja hasta que la "
                            "nueva está sana",
            "fallidas": "siempre hay réplicas sanas y ninguna se borra con un usuario dentro"}
for clave, valor in observado.items():
    tuya = mi_prediccion.get(clave)
    if tuya is None:
        veredicto = "no escribiste predicción"
    elif tuya == valor:
        veredicto = "acertaste"
    else:
        veredicto = "la sonda vio otra cosa"
    print(f"{clave}: predijiste {tuya} y la sonda vio {valor} ({veredicto}). "
          f"Por qué: {_por_que[clave]}.")

# %% nbgrader={"grade": true, "grade_id": "test_desplegar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _fallidas(muestras):
    return [(round(t, 2), r.error) for t, r in muestras if not r.ok]


assert resultado_v2 == "completado", f"Se esperaba 'completado' y llegó {resultado_v2!r}."
assert not _fallidas(rolling_v2), (
    f"Un rolling update no deja a nadie sin servicio: se esperaban 0 peticiones fallidas y hubo "
    f"{len(_fallidas(rolling_v2))}: {_fallidas(rolling_v2)[:5]}.")
_vivas = sonda.replicas()
_v = sorted(c.labels.get("version") for c in _vivas)
assert _v == ["2", "2", "2"], f"Al final debían quedar 3 réplicas v2 en marcha y quedan {_v}."
### BEGIN HIDDEN TESTS
assert all(c.health == "healthy" for c in _vivas), (
    f"Las 3 réplicas v2 deben estar sanas: {[(c.name, c.health) for c in _vivas]}.")
assert not de_version(1, todas=True), "No debe quedar ninguna réplica v1, ni parada."
_estados = [(t, total, sanas) for t, total, sanas in sonda.estados if inicio_v2 <= t <= fin_v2]
assert _estados, "La sonda no vio el despliegue: espera con sonda.esperar o con esperar_sanas."
assert max(total for _, total, _ in _estados) <= 4, (
    f"Con maxSurge=1 nunca debe haber más de 4 réplicas en marcha; hubo {max(e[1] for e in _estados)}.")
assert min(sanas for _, _, sanas in _estados) >= 3, (
    f"Con maxUnavailable=0 nunca debe haber menos de 3 sanas; hubo {min(e[2] for e in _estados)}.")
# otra vez, con maxSurge=0 y maxUnavailable=1: más lento de capacidad, nunca por encima de n
_t0 = lab.now()
_r = desplegar(1, max_surge=0, max_unavailable=1)
_t1 = lab.now()
assert _r == "completado", f"desplegar(1, 0, 1): se esperaba 'completado' y llegó {_r!r}."
_estados = [(t, total, sanas) for t, total, sanas in sonda.estados if _t0 <= t <= _t1]
assert max(total for _, total, _ in _estados) <= 3, "Con maxSurge=0 nunca debe haber más de 3 réplicas."
assert min(sanas for _, _, sanas in _estados) >= 2, "Con maxUnavailable=1 nunca debe haber menos de 2 sanas."
assert not _fallidas(sonda.entre(_t0, _t1)), (
    f"desplegar(1, 0, 1) no debería dejar peticiones fallidas: {_fallidas(sonda.entre(_t0, _t1))[:5]}.")
assert sorted(c.labels.get("version") for c in sonda.replicas()) == ["1", "1", "1"], (
    "Tras desplegar(1, 0, 1) debían quedar 3 réplicas v1.")
reiniciar(2)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. La versión rota: rollback automático (2 puntos)
#
# Ahora despliega la **v3**, la que nunca pasa su health check. Con *health gating*, tu
# `desplegar` no debería llegar a borrar ninguna v2: la primera v3 no se pone sana, se borra y
# todo queda como estaba. Sin que nadie tenga que despertarse a las 3 de la mañana.
#
# Este rollback automático es el de **tu** controlador. Swarm trae el suyo si se lo pides
# (`update_config` con `failure_action="rollback"`: si las tareas nuevas fallan, vuelve solo a la
# especificación anterior); lo verás funcionar en la segunda parte. Un **Deployment de
# Kubernetes no vuelve atrás por sí mismo**: con *health gating* (`readinessProbe`) no retira
# las réplicas viejas que hacen falta, pero la actualización se queda parada; pasado
# `progressDeadlineSeconds` (600 s por defecto) el Deployment se marca como fallido
# (`ProgressDeadlineExceeded`), y volver a la versión anterior lo haces tú, o tu herramienta de
# despliegue, con `kubectl rollout undo`.

# %% nbgrader={"grade": false, "grade_id": "rolling_v3", "locked": true, "schema_version": 3, "solution": false, "task": false}
inicio_v3 = lab.now()
resultado_v3 = desplegar(3)
sonda.esperar(1)
fin_v3 = lab.now()
rolling_v3 = sonda.entre(inicio_v3, fin_v3)
print(f"desplegar(3) → {resultado_v3!r}: {len(rolling_v3)} peticiones, "
      f"{sum(1 for _, r in rolling_v3 if not r.ok)} fallidas.")
display(ClusterGrid(lab, app="web", title="Después de intentar la v3"))

# %% nbgrader={"grade": true, "grade_id": "test_rollback", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
assert resultado_v3 == "rollback", f"La v3 está rota: se esperaba 'rollback' y llegó {resultado_v3!r}."
_v = sorted(c.labels.get("version") for c in sonda.replicas())
assert _v == ["2", "2", "2"], f"Tras el rollback debían seguir 3 réplicas v2 y hay {_v}."
### BEGIN HIDDEN TESTS
assert not de_version(3, todas=True), (
    f"No debe quedar ninguna réplica v3: quedan {[c.name for c in de_version(3, todas=True)]}.")
assert not _fallidas(rolling_v3), (
    f"El rollback no debería costar peticiones fallidas y hubo {_fallidas(rolling_v3)[:5]}.")
# con maxUnavailable=1 se borra una v2 antes de ver la v3: el rollback debe reponerla
_t0 = lab.now()
_r = desplegar(3, max_surge=0, max_unavailable=1)
assert _r == "rollback", f"desplegar(3, 0, 1): se esperaba 'rollback' y llegó {_r!r}."
_vivas = sonda.replicas()
assert sorted(c.labels.get("version") for c in _vivas) == ["2", "2", "2"], (
    f"Tras el rollback debían volver a ser 3 réplicas v2 y hay {[c.labels.get('version') for c in _vivas]}.")
assert all(c.health == "healthy" for c in _vivas), "Las v2 repuestas deben estar sanas al terminar."
assert not de_version(3, todas=True), "No debe quedar ninguna v3 tras el segundo rollback."
assert not _fallidas(sonda.entre(_t0, lab.now())), (
    f"Con 2 v2 sanas siempre, ninguna petición debía fallar y fallaron "
    f"{len(_fallidas(sonda.entre(_t0, lab.now())))}: {_fallidas(sonda.entre(_t0, lab.now()))[:5]}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. A mano contra rolling update
#
# La misma sonda, las mismas réplicas, el mismo cambio de v1 a v2. Cada punto es una petición de
# un usuario, en la fila de la versión que respondió; las ✗ son peticiones fallidas y la franja
# sombreada, el tiempo sin servicio. Las marcas `4/3` dicen, cada vez que cambia, cuántas réplicas
# había **en marcha** y cuántas **sanas**: mira cómo el rolling update sube a 4 (maxSurge) sin
# bajar nunca de 3 sanas (maxUnavailable 0), y cómo en el rollback la v3 llega a estar en marcha
# pero nunca sana.

# %% nbgrader={"grade": false, "grade_id": "comparar", "locked": true, "schema_version": 3, "solution": false, "task": false}
def cambios(desde, hasta):
    """Cada vez que cambia cuántas réplicas hay en marcha y sanas: (hora, "en marcha/sanas")."""
    marcas, antes = [], None
    for t, total, sanas in sonda.estados:
        if desde <= t <= hasta and (total, sanas) != antes:
            marcas.append((t, f"{total}/{sanas}"))
            antes = (total, sanas)
    return marcas


carriles = {
    "A mano (como en el cuaderno 00)": (a_mano, inicio_mano, fin_mano),
    "Rolling update v1 → v2 (maxSurge 1, maxUnavailable 0)": (rolling_v2, inicio_v2, fin_v2),
    "v3 rota: rollback automático": (rolling_v3, inicio_v3, fin_v3),
}
display(RolloutTimeline(
    {nombre: muestras for nombre, (muestras, _, _) in carriles.items()},
    events={nombre: cambios(desde, hasta) for nombre, (_, desde, hasta) in carriles.items()},
    title="Versiones que responden a lo largo del tiempo",
))

# %% [markdown]
# En el rolling update la fila de v2 empieza **antes** de que acabe la de v1: durante un rato
# responden las dos versiones. Es el precio de no cortar el servicio, y la razón por la que una
# versión nueva debe convivir con la anterior (por ejemplo, con el mismo esquema de base de datos).
#
# ## Resumen de la 1.ª parte
#
# - Un *rolling update* sustituye las réplicas por pasos, entre dos límites: `maxSurge` (cuántas
#   de más) y `maxUnavailable` (cuántas de menos), con el redondeo de Kubernetes.
# - El *health gating* (no borrar ninguna vieja hasta que las nuevas están sanas) es lo que deja
#   el servicio sin peticiones fallidas y hace posible el rollback.
# - Con una versión rota, tu controlador vuelve solo a la anterior.
#
# Sigue en `05-2-rollback-blue-green-canary`: el rollback automático del propio Swarm, *liveness*
# frente a *readiness*, blue-green y canary.
#
# Limpiamos todo lo que creó este cuaderno:

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
