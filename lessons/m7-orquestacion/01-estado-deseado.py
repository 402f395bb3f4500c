# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Estado deseado y autocuración
#
# **Módulo 7 — Introducción a Orquestación**
#
# En el cuaderno 00 el estado deseado («quiero 3 réplicas de v1») vivía solo en tu cabeza, y
# cuando una réplica cayó nadie la levantó. Aquí lo escribimos: un **estado deseado** que el
# programa puede leer, una forma de observar el **estado actual**, y el **bucle de control** que
# compara los dos y corrige la diferencia. Ese bucle es el corazón de todo orquestador: Docker
# Swarm y Kubernetes son, en gran parte, muchos bucles como el que vas a escribir.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `diferencia(deseado, actual)`: las acciones que faltan (Python puro) | 2 + 3 |
# | 2 | `reconciliar(lab, app, deseado)`: una pasada del bucle, con docker-py | 3 |
# | 3 | `controlador(...)`: el bucle que cura y sigue los cambios del estado deseado | 3 |
# | 4 | `retraso_reinicio(intento)`: la espera exponencial con tope entre reinicios | 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import random
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import ipywidgets as widgets

from course import Lab
from course.views import (
    ActionButton,
    ClusterGrid,
    EventLog,
    KillButton,
    ReplicasSlider,
)

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# ## 1. Estado deseado vs estado actual
#
# Un orquestador distingue siempre dos cosas:
#
# * **Estado deseado**: lo que quieres. Lo declaras una vez («3 réplicas de nginx, versión 1.24,
#   puerto 80 expuesto») y queda guardado en el clúster.
# * **Estado actual**: lo que hay de verdad ahora mismo («3 réplicas corriendo, todas 1.24, todas
#   *healthy*»… o no).
#
# ```
#  Estado Deseado (lo que quieres):
#  - 3 réplicas de nginx
#  - Versión 1.24
#  - Puerto 80 expuesto
#
#                  ↓
#
#  Orquestador trabaja constantemente
#  para mantener estado actual = estado deseado
#
#                  ↓
#
#  Estado Actual (lo que hay):
#  - 3 réplicas corriendo
#  - Todas versión 1.24
#  - Todas healthy
# ```
#
# **Si algo cambia**, el orquestador no necesita que nadie le avise:
#
# ```
#  Un contenedor falla
#      ↓
#  Estado actual ≠ Estado deseado
#      ↓
#  Orquestador detecta
#      ↓
#  Inicia nuevo contenedor
#      ↓
#  Estado actual = Estado deseado ✅
# ```
#
# Es la diferencia entre dar **órdenes** («arranca web2», imperativo, lo que hiciste en el 00) y
# **declarar** un objetivo («quiero 3», declarativo). Un **servicio** es justo eso: la definición
# de cómo ejecutar una aplicación —número de réplicas, imagen, puertos, redes, volúmenes—. En
# Docker Swarm o Kubernetes lo escribes en YAML:
#
# ```yaml
# # docker-compose / stack de Swarm          # Kubernetes (Deployment)
# services:                                  spec:
#   web:                                       replicas: 3
#     image: course/web:1                      template:
#     deploy:                                    spec:
#       replicas: 3                                containers:
#                                                  - image: course/web:1
# ```
#
# En este cuaderno el estado deseado será un diccionario de Python con lo mismo:

# %%
deseado = {"replicas": 3, "imagen": lab.image("web", 1)}
deseado

# %% [markdown]
# Y el estado actual lo **observamos** con docker-py: los contenedores de la app (también los
# parados), cada uno como un diccionario con su nombre, su imagen y su estado. Esta función está
# dada; léela, porque la usarás:

# %%
def leer_actual(lab, app):
    """El estado actual de una app del laboratorio: una lista de diccionarios."""
    contenedores = lab.client.containers.list(all=True, filters=lab.filters(app=app))
    return [{"nombre": c.name, "imagen": c.attrs["Config"]["Image"], "estado": c.status}
            for c in sorted(contenedores, key=lambda c: c.name)]


leer_actual(lab, "web")  # todavía no hay nada

# %% [markdown]
# ### Paso 1 · La diferencia: ¿qué hay que hacer?
#
# Escribe `diferencia(deseado, actual)`, **Python puro** (sin Docker): recibe el estado deseado y
# la lista de `leer_actual`, y devuelve la **lista de acciones** que convierten el actual en el
# deseado. Solo hay dos acciones:
#
# * `("borrar", nombre)`: quitar un contenedor;
# * `("crear", imagen)`: arrancar una réplica nueva de esa imagen.
#
# Las reglas, como las aplica un orquestador:
#
# 1. Un contenedor que **no** está `"running"` (parado, muerto, creado…) no cuenta como réplica:
#    se borra.
# 2. Un contenedor en marcha con **otra imagen** no es una réplica de lo deseado: se borra.
# 3. Si quedan **más** réplicas buenas (en marcha y con la imagen deseada) que `replicas`, se
#    borran las que sobran (cualquiera de ellas).
# 4. Si quedan **menos**, se crean las que faltan.
#
# Y algo igual de importante: **nada más**. Si el estado ya es el deseado, la lista está vacía
# (la operación es *idempotente*), y nunca se borra una réplica buena para crear otra igual.
# Tampoco **modifiques la lista `actual`** que recibes (ni la ordenes en su sitio con `.sort()`:
# si necesitas otro orden, `sorted(actual, ...)` da una copia): quien te llama la sigue usando.
#
# ```
#  deseado: 3 × web:1        actual: [web-1 ✔ v1] [web-2 ✘ exited] [web-3 ✔ v2]
#
#  acciones: ("borrar", "web-2"), ("borrar", "web-3"), ("crear", "web:1"), ("crear", "web:1")
# ```

# %% nbgrader={"grade": false, "grade_id": "diferencia", "locked": false, "schema_version": 3, "solution": true, "task": false}
def diferencia(deseado, actual):
    ### BEGIN SOLUTION
    acciones = []
    buenas = []
    for c in actual:
        if c["estado"] == "running" and c["imagen"] == deseado["imagen"]:
            buenas.append(c["nombre"])
        else:
            acciones.append(("borrar", c["nombre"]))
    for nombre in buenas[deseado["replicas"]:]:
        acciones.append(("borrar", nombre))
    for _ in range(deseado["replicas"] - len(buenas)):
        acciones.append(("crear", deseado["imagen"]))
    return acciones
    ### END SOLUTION


# %%
ejemplo = [{"nombre": "web-1", "imagen": "course/web:1", "estado": "running"},
           {"nombre": "web-2", "imagen": "course/web:1", "estado": "exited"},
           {"nombre": "web-3", "imagen": "course/web:2", "estado": "running"}]
diferencia({"replicas": 3, "imagen": "course/web:1"}, ejemplo)

# %% [markdown]
# Las pruebas de `diferencia` **aplican** tus acciones a una copia del estado actual (sin Docker)
# y comprueban el resultado. Esta es la función que usan:

# %%
def aplicar(actual, acciones):
    """El estado que resulta de ejecutar las acciones (simulado: sin Docker)."""
    resultado = [dict(c) for c in actual]
    for n, (accion, arg) in enumerate(acciones):
        assert accion in ("crear", "borrar"), (
            f"Acción desconocida: {accion!r} (se esperaba 'crear' o 'borrar').")
        if accion == "borrar":
            antes = len(resultado)
            resultado = [c for c in resultado if c["nombre"] != arg]
            assert len(resultado) == antes - 1, f"Se intentó borrar {arg!r}, que no existe."
        else:
            resultado.append({"nombre": f"nueva-{n}", "imagen": arg, "estado": "running"})
    return resultado


def buenas(deseado, estado):
    return [c for c in estado if c["estado"] == "running" and c["imagen"] == deseado["imagen"]]


# %% nbgrader={"grade": true, "grade_id": "test_diferencia", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_d = {"replicas": 3, "imagen": "course/web:1"}
_r = diferencia(_d, [])
assert sorted(_r) == [("crear", "course/web:1")] * 3, (
    f"Sin nada en marcha se esperaban 3 acciones ('crear', 'course/web:1') y llegó {_r}.")
_convergido = [{"nombre": f"web-{i}", "imagen": "course/web:1", "estado": "running"}
               for i in range(3)]
_r = diferencia(_d, _convergido)
assert _r == [], f"Con el estado ya igual al deseado no hay que hacer nada, y llegó {_r}."
_r = diferencia(_d, ejemplo)
_fin = aplicar(ejemplo, _r)
assert len(_fin) == 3 and len(buenas(_d, _fin)) == 3, (
    f"Tras aplicar {_r} al ejemplo se esperaban 3 réplicas buenas y quedan {_fin}.")
assert ("borrar", "web-1") not in _r, "web-1 ya es una réplica buena: no hay que borrarla."
_cinco = _convergido + [{"nombre": f"web-{i}", "imagen": "course/web:1", "estado": "running"}
                        for i in (3, 4)]
_r = diferencia(_d, _cinco)
assert len(_r) == 2 and all(a == "borrar" for a, _ in _r), (
    f"Con 5 réplicas buenas y 3 deseadas se esperaban 2 acciones 'borrar' y llegó {_r}.")

# %% [markdown]
# La prueba oculta de `diferencia` es una **prueba de propiedades**: genera muchos estados al azar
# (con una semilla fija) y comprueba, para cada uno, que al aplicar tus acciones se llega al estado
# deseado, que después ya no queda nada por hacer y que no sobra ninguna acción.

# %% nbgrader={"grade": true, "grade_id": "test_diferencia_propiedades", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
assert diferencia({"replicas": 0, "imagen": "course/web:1"}, []) == [], (
    "Con 0 réplicas deseadas y nada en marcha no hay que hacer nada.")
### BEGIN HIDDEN TESTS
_rng = random.Random(SEED + 101)
for _caso in range(60):
    _d = {"replicas": _rng.randint(0, 6), "imagen": f"course/web:{_rng.randint(1, 2)}"}
    _actual = [{"nombre": f"c{i}", "imagen": f"course/web:{_rng.randint(1, 2)}",
                "estado": _rng.choice(["running", "running", "running", "exited", "created"])}
               for i in range(_rng.randint(0, 8))]
    _rng.shuffle(_actual)
    _copia = [dict(c) for c in _actual]
    _r = diferencia(_d, _actual)
    assert _actual == _copia, f"Caso {_caso}: diferencia no debe modificar la lista actual."
    _fin = aplicar(_actual, _r)
    _b = buenas(_d, _fin)
    assert len(_fin) == _d["replicas"] == len(_b), (
        f"Caso {_caso}: deseado {_d}, actual {_actual}: tras {_r} se esperaban "
        f"{_d['replicas']} réplicas buenas y nada más, y quedan {_fin}.")
    assert diferencia(_d, _fin) == [], (
        f"Caso {_caso}: tras converger, diferencia debe devolver [] (idempotencia).")
    _n_buenas = len(buenas(_d, _actual))
    _crear = sum(1 for a, _ in _r if a == "crear")
    assert _crear == max(0, _d["replicas"] - _n_buenas), (
        f"Caso {_caso}: con {_n_buenas} réplicas buenas y {_d['replicas']} deseadas se esperaban "
        f"{max(0, _d['replicas'] - _n_buenas)} 'crear' y hay {_crear}: {_r}.")
### END HIDDEN TESTS

# %% [markdown]
# ### Paso 2 · Una pasada del bucle: reconciliar
#
# Ahora con contenedores de verdad. Escribe `reconciliar(lab, app, deseado)`, que haga **una
# pasada** del bucle de control y devuelva la lista de acciones que ejecutó:
#
# 1. **observar**: `leer_actual(lab, app)`;
# 2. **comparar**: `diferencia(deseado, actual)`;
# 3. **actuar**: para `("borrar", nombre)`, `client.containers.get(nombre).remove(force=True)`;
#    para `("crear", imagen)`, arrancar un contenedor de esa imagen en segundo plano, con
#    `labels=lab.labels(app=app)` (si no, ¡la siguiente pasada no lo verá!) y un nombre libre:
#    `nombre_nuevo(lab, app)` (dada abajo) te da uno.
#
# ```
#          ┌──────────── observar ◄───────────┐
#          ▼                                   │
#   deseado ≠ actual ? ── no ──► nada que hacer │
#          │ sí                                 │
#          ▼                                    │
#       actuar (borrar / crear) ────────────────┘
# ```

# %%
def nombre_nuevo(lab, app):
    """El primer nombre libre de la forma <lab>-<app>-<n>."""
    usados = {c.name for c in lab.client.containers.list(all=True, filters=lab.filters())}
    n = 1
    while lab.name(f"{app}-{n}") in usados:
        n += 1
    return lab.name(f"{app}-{n}")


# %% nbgrader={"grade": false, "grade_id": "reconciliar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def reconciliar(lab, app, deseado):
    ### BEGIN SOLUTION
    acciones = diferencia(deseado, leer_actual(lab, app))
    for accion, arg in acciones:
        if accion == "borrar":
            lab.client.containers.get(arg).remove(force=True)
        else:
            lab.client.containers.run(arg, detach=True, name=nombre_nuevo(lab, app),
                                      labels=lab.labels(app=app))
    return acciones
    ### END SOLUTION


# %%
reconciliar(lab, "web", deseado)

# %% nbgrader={"grade": true, "grade_id": "test_reconciliar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _preparar_desorden(lab, app):
    """2 réplicas buenas de v1, una matada y una de v2: un estado actual desordenado."""
    hechos = []
    etiquetas = lab.labels(app=app)
    for i, version in enumerate([1, 1, 1, 2]):
        hechos.append(lab.client.containers.run(
            lab.image("web", version), detach=True, name=lab.name(f"{app}-x{i}"), labels=etiquetas))
    hechos[2].kill()
    for _ in range(40):
        hechos[2].reload()
        if hechos[2].status == "exited":
            break
        lab.sleep(0.25)
    return hechos


def _en_marcha(lab, app):
    return lab.client.containers.list(filters={**lab.filters(app=app), "status": "running"})


def _pasada(app, deseado):
    try:
        return reconciliar(lab, app, deseado)
    except Exception as e:
        raise AssertionError(
            f"reconciliar(lab, {app!r}, {deseado}) lanzó {type(e).__name__}: {e}. Si es un 409 "
            "(Conflict), un nombre ya estaba usado: ¿arrancas cada réplica con "
            "labels=lab.labels(app=app) y name=nombre_nuevo(lab, app)? Sin las etiquetas, "
            "nombre_nuevo no ve las réplicas que ya creaste.") from None


_preparar_desorden(lab, "prueba")
_d = {"replicas": 3, "imagen": lab.image("web", 1)}
_acc = _pasada("prueba", _d)
_vivos = _en_marcha(lab, "prueba")
_todos = lab.client.containers.list(all=True, filters=lab.filters(app="prueba"))
assert len(_vivos) == 3, f"Tras una pasada se esperaban 3 réplicas en marcha y hay {len(_vivos)}."
assert all(c.attrs["Config"]["Image"] == lab.image("web", 1) for c in _vivos), (
    "Todas las réplicas en marcha deben usar la imagen deseada, course/web:1.")
assert len(_todos) == 3, (
    f"El contenedor parado y el de v2 debían borrarse; quedan {sorted(c.name for c in _todos)}.")
_acc2 = _pasada("prueba", _d)
assert _acc2 == [], f"Una segunda pasada sobre un estado ya correcto no debe hacer nada: {_acc2}."
### BEGIN HIDDEN TESTS
_d2 = {"replicas": 2, "imagen": lab.image("web", 2)}
_pasada("prueba", _d2)
_vivos = _en_marcha(lab, "prueba")
assert sorted(c.attrs["Config"]["Image"] for c in _vivos) == [lab.image("web", 2)] * 2, (
    f"Con el deseado {_d2} se esperaban 2 réplicas de v2 y hay "
    f"{sorted(c.attrs['Config']['Image'] for c in _vivos)}.")
_pasada("prueba", {"replicas": 0, "imagen": lab.image("web", 2)})
_todos = lab.client.containers.list(all=True, filters=lab.filters(app="prueba"))
assert _todos == [], f"Con 0 réplicas deseadas no debe quedar nada y quedan {len(_todos)}."
assert len(_en_marcha(lab, "web")) == 3, "Reconciliar 'prueba' no debe tocar los de 'web'."
### END HIDDEN TESTS

# %% [markdown]
# ### A jugar: la rejilla del clúster
#
# Esta es la vista del clúster, al estilo de *docker-swarm-visualizer*: una columna por nodo (aquí
# solo hay uno, este motor) y una tarjeta por contenedor. El **color de relleno** es la versión de
# la imagen; el **borde y el texto** dicen el estado. Debajo, el registro de eventos del motor.
#
# * **Matar** hace `docker kill` de la réplica elegida: mira cómo queda `parado` en la rejilla.
# * El **deslizador** cambia `deseado["replicas"]`: solo el estado deseado, nada más.
# * **Una pasada del controlador** llama a *tu* `reconciliar(lab, "web", deseado)`.
#
# Mata una réplica, sube el deslizador a 5 y da pasadas: el estado actual alcanza al deseado.
# (Los controles actúan cuando haces clic; al ejecutar el cuaderno entero no tocan nada.)

# %%
rejilla = ClusterGrid(lab, app="web", title="App web: estado actual")
eventos = EventLog(lab, app="web", limit=12)


def fijar_replicas(n):
    deseado["replicas"] = n


matar = KillButton(lab, app="web", views=[rejilla, eventos])
deslizador = ReplicasSlider(lab, app="web", on_change=fijar_replicas, value=deseado["replicas"],
                            views=[rejilla, eventos])
pasada = ActionButton("Una pasada del controlador", lambda: reconciliar(lab, "web", deseado),
                      views=[rejilla, eventos, matar])
widgets.VBox([widgets.HBox([deslizador, matar]), pasada, rejilla, eventos])

# %% [markdown]
# ### Paso 3 · El bucle de control
#
# Un orquestador no espera a que hagas clic: repite la pasada **para siempre**, cada pocos
# segundos. Y en cada pasada vuelve a **leer el estado deseado**, porque alguien puede haberlo
# cambiado (`docker service scale web=5`, `kubectl scale`…).
#
# Escribe `controlador(lab, app, leer_deseado, pasadas, intervalo=1.0)`:
#
# * repite `pasadas` veces: lee el estado deseado con `leer_deseado()` (una función sin
#   argumentos que devuelve el estado deseado de *ahora*), llama a `reconciliar(lab, app, ...)`
#   con él, y espera `intervalo` segundos (nunca con `time.sleep`: en el simulador el tiempo es
#   virtual), así:
#
#   ```python
#   lab.sleep(intervalo)
#   ```
# * devuelve el **historial**: la lista con las acciones de cada pasada.
#
# Nuestro bucle tiene un número de pasadas para que termine; el de un orquestador no termina nunca.

# %% nbgrader={"grade": false, "grade_id": "controlador", "locked": false, "schema_version": 3, "solution": true, "task": false}
def controlador(lab, app, leer_deseado, pasadas, intervalo=1.0):
    ### BEGIN SOLUTION
    historial = []
    for _ in range(pasadas):
        historial.append(reconciliar(lab, app, leer_deseado()))
        lab.sleep(intervalo)
    return historial
    ### END SOLUTION


# %%
historial = controlador(lab, "web", lambda: deseado, pasadas=3, intervalo=0.5)
print(historial)
rejilla.refresh()
eventos.refresh()
widgets.VBox([rejilla, eventos])

# %% [markdown]
# La prueba de `controlador` lo somete a un guion: empieza queriendo 3 réplicas, a mitad mata una,
# luego pide 5 (y mata otra) y al final baja a 2. Tras cada cambio, el bucle debe alcanzar el
# estado deseado en un par de pasadas.

# %% nbgrader={"grade": true, "grade_id": "test_controlador", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
class _Desbocado(Exception):
    """Hay en marcha muchas más réplicas nuevas de las que el guion pidió nunca."""


class _Guion:
    """Un estado deseado que cambia con las pasadas (3 → 5 → 2), y mata réplicas por el camino.
    Si el laboratorio acaba con el doble de réplicas nuevas de las que se pidieron nunca, para
    (una reconciliar que no ve lo que crea crearía sin fin, y la celda se quedaría sin tiempo)."""

    def __init__(self, lab, app, fases, matar_en):
        self.lab, self.app, self.fases, self.matar_en = lab, app, fases, set(matar_en)
        self.lecturas, self.vistos = 0, []
        self.antes = {c.id for c in lab.client.containers.list(all=True, filters=lab.filters())}

    def __call__(self):
        n = self.lecturas
        nuevas = [c for c in self.lab.client.containers.list(filters=self.lab.filters())
                  if c.id not in self.antes]
        if len(nuevas) > 2 * max(self.fases):
            raise _Desbocado(len(nuevas))
        self.lecturas += 1
        vivos = _en_marcha(self.lab, self.app)
        self.vistos.append(len(vivos))
        if n in self.matar_en and vivos:
            sorted(vivos, key=lambda c: c.name)[0].kill()
        return {"replicas": self.fases[min(n // 4, len(self.fases) - 1)],
                "imagen": self.lab.image("web", 1)}


_g = _Guion(lab, "guion", fases=[3, 5, 2], matar_en=[1, 5])
try:
    _h = controlador(lab, "guion", _g, pasadas=12, intervalo=0.5)
except _Desbocado as _e:
    raise AssertionError(
        f"Tras {_g.lecturas} pasadas hay {_e} réplicas nuevas en marcha y el guion nunca pidió más "
        f"de {max(_g.fases)}; en cada pasada tu controlador vio {_g.vistos}. Si reconciliar crea "
        "réplicas que leer_actual no ve (¿les pusiste lab.labels(app=app)?), cada pasada crea "
        "más.") from None
except Exception as _e:
    raise AssertionError(
        f"controlador lanzó {type(_e).__name__}: {_e}. Cada pasada llama a tu reconciliar: "
        "prueba antes reconciliar sola.") from None
_fin = len(_en_marcha(lab, "guion"))
assert _g.lecturas == 12, (
    f"El controlador debe leer el estado deseado en cada una de las 12 pasadas y lo leyó "
    f"{_g.lecturas} veces.")
assert isinstance(_h, list) and len(_h) == 12, (
    f"Se esperaba un historial con 12 pasadas y llegó {_h!r}.")
assert all(isinstance(_p, (list, tuple)) and all(isinstance(_a, (list, tuple)) and len(_a) == 2
                                                  for _a in _p) for _p in _h), (
    "El historial es una lista con una lista de acciones por pasada (lo que devuelve "
    f"reconciliar), y llegó {_h!r}.")
assert _g.vistos[3] == 3, (
    f"Tras matar una réplica con 3 deseadas, en la pasada 4 se esperaban 3 en marcha y había "
    f"{_g.vistos[3]} (visto en cada pasada: {_g.vistos}).")
assert _g.vistos[7] == 5, (
    f"Tras pedir 5 réplicas, en la pasada 8 se esperaban 5 en marcha y había {_g.vistos[7]} "
    f"(visto en cada pasada: {_g.vistos}).")
assert _fin == 2, f"Al final del guion se esperaban 2 réplicas en marcha y hay {_fin}."
### BEGIN HIDDEN TESTS
assert _g.vistos[11] == 2, (
    f"Tras bajar a 2 réplicas, en la pasada 12 se esperaban 2 en marcha y había {_g.vistos[11]}.")
_creadas = sum(1 for pasada in _h for accion, _ in pasada if accion == "crear")
assert _creadas == 7, (
    f"Para 3 réplicas, 1 curada, 2 más y otra curada hacían falta 7 'crear' y el historial tiene "
    f"{_creadas}: {_h}")
_t0 = lab.now()
controlador(lab, "guion", lambda: {"replicas": 2, "imagen": lab.image("web", 1)}, pasadas=2,
            intervalo=3)
assert lab.now() - _t0 >= 6, "El controlador debe esperar 'intervalo' segundos con lab.sleep."
for _c in lab.client.containers.list(all=True, filters=lab.filters(app="guion")):
    _c.remove(force=True)
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Autocuración (*self-healing*) y la espera entre reinicios
#
# Lo que acabas de escribir es **autocuración**: el orquestador
#
# * **detecta** contenedores fallidos (observa el estado actual),
# * los **reinicia** o los **reemplaza** automáticamente (actúa),
# * y, con varias máquinas, **reemplaza nodos caídos**: lo verás en el cuaderno 02.
#
# Pero ¿y si el contenedor falla *siempre*, por ejemplo porque su configuración está mal?
# Reiniciarlo en bucle cada segundo solo gasta CPU y llena los registros. Por eso los orquestadores
# esperan cada vez más entre reinicios: es la **espera exponencial con tope** (*exponential
# backoff*). Kubernetes la llama `CrashLoopBackOff`: 10 s, 20 s, 40 s… y nunca más de 300 s
# (5 minutos); si el contenedor aguanta 10 minutos en marcha, la cuenta vuelve a empezar.
#
# ```
#  intento:   1    2    3    4     5     6     7     8  ...
#  espera:   10s  20s  40s  80s  160s  300s  300s  300s ...
#            └──── se duplica ────┘  └──── tope ─────┘
# ```
#
# (El motor Docker hace lo mismo con `restart_policy`, pero empezando en 100 ms.)
#
# ### Paso 4 · `retraso_reinicio`
#
# Escribe `retraso_reinicio(intento, base=10, tope=300)`: los segundos de espera antes del
# reinicio número `intento` (`intento` ≥ 1): `base` el primero, el doble cada vez, nunca más de
# `tope`.

# %% nbgrader={"grade": false, "grade_id": "retraso_reinicio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def retraso_reinicio(intento, base=10, tope=300):
    ### BEGIN SOLUTION
    return min(tope, base * 2 ** (intento - 1))
    ### END SOLUTION


# %%
[retraso_reinicio(i) for i in range(1, 9)]

# %% nbgrader={"grade": true, "grade_id": "test_retraso", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_serie = [retraso_reinicio(i) for i in range(1, 9)]
_esperada = [10, 20, 40, 80, 160, 300, 300, 300]
assert _serie == _esperada, f"Se esperaba la serie {_esperada} y llegó {_serie}."
### BEGIN HIDDEN TESTS
assert retraso_reinicio(1000) == 300, (
    f"Tras muchos intentos la espera debe quedarse en 300 y llegó {retraso_reinicio(1000)}.")
for _base, _tope in [(1, 60), (0.1, 10), (5, 5), (7, 1000)]:
    _prev = None
    for _i in range(1, 30):
        _v = retraso_reinicio(_i, base=_base, tope=_tope)
        _ok = _v == min(_tope, _base if _prev is None else 2 * _prev)
        assert _ok, (f"Con base={_base} y tope={_tope}, el intento {_i} debía esperar "
                     f"{min(_tope, _base if _prev is None else 2 * _prev)} y llegó {_v}.")
        _prev = _v
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Lo que has aprendido
#
# | concepto | en tu código | en Swarm / Kubernetes |
# |---|---|---|
# | **Estado deseado** | el diccionario `deseado` | la definición del servicio o del Deployment |
# | **Estado actual** | `leer_actual(lab, app)` | lo que el clúster guarda de cada tarea o pod |
# | comparar | `diferencia` | la lógica de cada controlador |
# | **bucle de control** | `controlador` | el *controller manager* (K8s), el orquestador de Swarm |
# | **autocuración** | borrar el parado y crear otro | tareas reemplazadas, pods recreados |
# | espera entre reinicios | `retraso_reinicio` | `CrashLoopBackOff`, `restart_policy` |
#
# * 🔑 **Estado Deseado**: el orquestador mantiene lo configurado.
# * 🔑 **Self-Healing**: auto-recuperación de fallos.
# * 🔑 **Service**: la definición de la aplicación (imagen, réplicas…), que el bucle hace cumplir.
#
# En el cuaderno 02 repartimos las réplicas entre **varias máquinas**: quién decide dónde va cada
# una (el *scheduler*) y qué pasa cuando una máquina entera se cae.

# %% nbgrader={"grade": false, "grade_id": "cleanup", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
