# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Arquitectura de un orquestador y el *scheduler*
#
# **Módulo 7 — Introducción a Orquestación**
#
# Hasta ahora todo corría en una sola máquina. Un orquestador gestiona un **clúster**: un conjunto
# de máquinas (**nodos**) trabajando juntas. Eso trae tres preguntas nuevas, y este cuaderno
# responde cada una con código:
#
# 1. ¿Quién decide, y quién ejecuta? → la **arquitectura**: *control plane* y *workers*.
# 2. ¿En qué nodo va cada réplica? → el **scheduler**: primero filtra, después puntúa.
# 3. ¿Y si se cae una máquina entera? → las réplicas se **reprograman** en los nodos sanos, y los
#    *managers* deciden por **quórum**.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `filtrar(nodo, tarea)`: ¿puede este nodo recibir esta tarea? (Python puro) | 2 |
# | 2 | `programar(tareas, nodos)`: filtrar y puntuar (*spread*) (Python puro) | 3 + 3 |
# | 3 | `tareas_por_nodo(lab, servicio)`: dónde corre cada réplica, con docker-py | 2 |
# | 4 | `reprogramar(nodos, caido)`: adónde irán las tareas de un nodo caído | 3 + 2 |
# | — | una restricción de colocación y vaciar un nodo: predice con tu `programar` | 2 |
# | 5 | `quorum(n)` y `fallos_tolerados(n)`: cuántos *managers* pueden caer | 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import copy
import random
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import docker
import ipywidgets as widgets

from course import Lab
from course.views import ClusterGrid, EventLog, NodeDownControl

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# ## 1. Arquitectura: quién decide y quién ejecuta
#
# Todos los orquestadores separan dos papeles:
#
# ```
# ┌──────────────────────────────────────────┐
# │           Control Plane                  │
# │   (Toma decisiones, gestiona estado)     │
# │                                          │
# │  - API Server                            │
# │  - Scheduler                             │
# │  - Controller Manager                    │
# │  - etcd (Estado del clúster)             │
# └──────────────────────────────────────────┘
#               ↓ ↓ ↓
# ┌──────────────────────────────────────────┐
# │             Worker Nodes                 │
# │    (Ejecutan los contenedores)           │
# │                                          │
# │  Node 1    Node 2    Node 3              │
# │  [Pods]    [Pods]    [Pods]              │
# └──────────────────────────────────────────┘
# ```
#
# | pieza | qué hace | lo que ya conoces |
# |---|---|---|
# | **API Server** | la única puerta: todo (tú, `kubectl`, `docker service`, los demás componentes) habla con el clúster a través de su API | la API del motor que usa docker-py |
# | **etcd** | la base de datos del clúster: guarda el **estado deseado** y lo que se sabe del **actual** | tu diccionario `deseado` del cuaderno 01 |
# | **Controller Manager** | los **bucles de control**: comparan deseado y actual y corrigen | tu `controlador` del cuaderno 01 |
# | **Scheduler** | decide **en qué nodo** va cada réplica nueva | lo que escribes hoy |
# | **Workers** (y su agente, el *kubelet* en Kubernetes) | arrancan y vigilan los contenedores que les asignan, e informan | el motor Docker de cada máquina |
#
# Y así viaja una orden por el clúster, por ejemplo «quiero 5 réplicas»:
#
# ```
#  tú ──scale=5──► API Server ──guarda──► etcd (deseado: 5)
#                                           │
#          Controller Manager ◄──observa────┘  «hay 3, faltan 2» → crea 2 tareas sin nodo
#                                           │
#          Scheduler ◄──────────observa─────┘  «¿dónde?» → tarea 4 → nodo-2, tarea 5 → nodo-3
#                                           │
#          worker nodo-2, nodo-3 ◄──observan┘  arrancan los contenedores y dicen «running»
# ```
#
# Nadie llama a nadie directamente: cada pieza **observa** el estado guardado y **actúa** sobre
# su parte. Si una pieza se reinicia, vuelve a leer el estado y sigue: por eso el sistema entero se
# cura solo.
#
# En **Docker Swarm** los mismos papeles viven en menos procesos: los nodos **manager** son el
# *control plane* (API, *scheduler*, orquestador y el almacén replicado con **Raft**, el papel de
# etcd) y los nodos **worker** ejecutan las tareas. Un manager también puede ejecutar tareas.
#
# | Kubernetes | Docker Swarm |
# |---|---|
# | *control plane* (API Server, Scheduler, Controller Manager) | nodos **manager** |
# | etcd | almacén Raft dentro de los managers |
# | nodo worker + kubelet | nodo **worker** + su motor Docker |
# | Pod | tarea (*task*): un contenedor de un servicio en un nodo |
# | Deployment | servicio replicado |

# %% [markdown]
# ## 2. El clúster de este cuaderno
#
# Un **clúster** (*cluster*) es un conjunto de máquinas (nodos) trabajando juntas: nodos **manager** (el
# *control plane*) y nodos **worker** (ejecutan cargas). Vamos a montar uno con Swarm:
#
# * `client.swarm.init(...)` convierte el motor en un Swarm de un nodo, que es manager
#   (`lab.ensure_swarm()` lo hace si hace falta y espera a que el manager recién creado
#   conteste; el laboratorio lo deshace al limpiar);
# * en un equipo real, otras máquinas se unirían con `docker swarm join`. **En el simulador** del
#   curso añadimos dos workers con `lab.engine.swarm.add_node(...)`; en tu portátil, con un motor
#   real, el clúster tendrá un solo nodo, y la parte de tirar un nodo solo se verá en el simulador.

# %%
lab.ensure_swarm()  # Swarm en marcha y su manager contestando
if lab.engine is not None:  # solo el simulador puede «comprar» máquinas nuevas
    for nombre in ("nodo-2", "nodo-3"):
        lab.engine.swarm.add_node(nombre, cpus=2, memory_gb=4)

for nodo in client.nodes.list():
    a = nodo.attrs
    print(f"{a['Description']['Hostname']:<10} rol={a['Spec']['Role']:<8} "
          f"estado={a['Status']['State']:<6} disponibilidad={a['Spec']['Availability']}")

# %% [markdown]
# Ahora un **servicio** de 6 réplicas. Fíjate en que no decimos *dónde*: eso es trabajo del
# *scheduler*. (`endpoint_mode="dnsrr"`: sin IP virtual; el balanceo lo veremos en el 04.)

# %%
web = client.services.create(
    image=lab.image("web", 1),
    name=lab.name("web"),
    labels=lab.labels(app="web"),
    mode=docker.types.ServiceMode("replicated", replicas=6),
    endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"))


def esperar_en_marcha(servicio, n, intentos=60):
    """Espera (acotado) a que ``n`` tareas del servicio estén en marcha; devuelve cuántas hay."""
    vivas = 0
    for _ in range(intentos):
        tareas = servicio.tasks(filters={"desired-state": "running"})
        vivas = sum(1 for t in tareas if t["Status"]["State"] == "running")
        if vivas == n:
            break
        lab.sleep(0.5)
    return vivas


print("tareas en marcha:", esperar_en_marcha(web, 6))
rejilla = ClusterGrid(lab, app="web", title="Servicio web: una columna por nodo")
eventos = EventLog(lab, limit=10)
rejilla

# %% [markdown]
# ## 3. El *scheduler*: filtrar y después puntuar
#
# Cuando el controlador crea una tarea nueva, aún no tiene nodo. El *scheduler* elige en dos
# fases (Kubernetes las llama *filtering* y *scoring*; Swarm, filtros y estrategia *spread*):
#
# ```
#   tarea web.7 (0.5 CPU, 256 MiB, zona=a)
#        │
#        ▼  FILTRAR: ¿puede?                      PUNTUAR: ¿cuál es mejor?
#   nodo-1  ready, active, cabe, zona=a  ✔ ──┐
#   nodo-2  down                          ✘   ├──► nodo-1: 2 de web, 3 en total
#   nodo-3  ready, drain                  ✘   │    nodo-4: 1 de web, 1 en total ◄── elegido
#   nodo-4  ready, active, cabe, zona=a  ✔ ──┘
#   nodo-5  ready, active, sin memoria    ✘
# ```
#
# Describimos cada nodo y cada tarea con diccionarios:
#
# ```python
# nodo = {"nombre": "nodo-1",
#         "estado": "ready",              # "ready" o "down"
#         "disponibilidad": "active",     # "active", "pause" o "drain"
#         "cpu": 2.0, "memoria": 4096,    # capacidad (CPUs y MiB)
#         "etiquetas": {"zona": "a"},
#         "tareas": [...]}                # las tareas que ya corren ahí
#
# tarea = {"id": "web.7", "servicio": "web", "cpu": 0.5, "memoria": 256,
#          "restricciones": {"zona": "a"}}   # etiquetas que el nodo debe tener (puede faltar)
# ```
#
# ### Paso 1 · `filtrar(nodo, tarea)`
#
# Devuelve `True` si el nodo **puede** recibir la tarea:
#
# 1. el nodo está `"ready"` **y** su disponibilidad es `"active"` (un nodo en `pause` o `drain` no
#    recibe tareas nuevas);
# 2. **cabe**: la CPU y la memoria libres (capacidad menos lo que reservan sus `tareas`) alcanzan
#    para la tarea;
# 3. cumple las **restricciones**: para cada `etiqueta: valor` de `tarea["restricciones"]`, el nodo
#    tiene esa etiqueta con ese valor (`tarea.get("restricciones", {})`: puede no haberlas).

# %% nbgrader={"grade": false, "grade_id": "filtrar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def filtrar(nodo, tarea):
    ### BEGIN SOLUTION
    if nodo["estado"] != "ready" or nodo["disponibilidad"] != "active":
        return False
    cpu_libre = nodo["cpu"] - sum(t["cpu"] for t in nodo["tareas"])
    memoria_libre = nodo["memoria"] - sum(t["memoria"] for t in nodo["tareas"])
    if tarea["cpu"] > cpu_libre or tarea["memoria"] > memoria_libre:
        return False
    for etiqueta, valor in tarea.get("restricciones", {}).items():
        if nodo["etiquetas"].get(etiqueta) != valor:
            return False
    return True
    ### END SOLUTION


# %%
def nodo(nombre, estado="ready", disponibilidad="active", cpu=2.0, memoria=4096, etiquetas=None,
         tareas=()):
    """Un nodo de ejemplo (atajo para escribir clústeres a mano)."""
    return {"nombre": nombre, "estado": estado, "disponibilidad": disponibilidad, "cpu": cpu,
            "memoria": memoria, "etiquetas": dict(etiquetas or {}), "tareas": list(tareas)}


def tarea(id, servicio="web", cpu=0.5, memoria=256, **restricciones):
    """Una tarea de ejemplo."""
    return {"id": id, "servicio": servicio, "cpu": cpu, "memoria": memoria,
            "restricciones": restricciones}


t7 = tarea("web.7", zona="a")
for n in [nodo("nodo-1", etiquetas={"zona": "a"}), nodo("nodo-2", estado="down"),
          nodo("nodo-3", disponibilidad="drain"), nodo("nodo-4", etiquetas={"zona": "a"}),
          nodo("nodo-5", memoria=200, etiquetas={"zona": "a"})]:
    print(n["nombre"], filtrar(n, t7))

# %% nbgrader={"grade": true, "grade_id": "test_filtrar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_t = tarea("web.1")
assert filtrar(nodo("n"), _t) is True, "Un nodo ready, active y vacío debe aceptar la tarea."
assert filtrar(nodo("n", estado="down"), _t) is False, "Un nodo caído (down) no acepta tareas."
assert filtrar(nodo("n", disponibilidad="drain"), _t) is False, "Un nodo en drain no acepta tareas."
assert filtrar(nodo("n", disponibilidad="pause"), _t) is False, "Un nodo en pause no acepta tareas."
_lleno = nodo("n", cpu=1.0, tareas=[tarea("a.1", "a", cpu=0.75)])
assert filtrar(_lleno, _t) is False, (
    "Con 1 CPU y 0.75 reservadas quedan 0.25 libres: una tarea de 0.5 no cabe.")
assert filtrar(nodo("n", etiquetas={"zona": "b"}), tarea("w", zona="a")) is False, (
    "La tarea pide zona=a y el nodo tiene zona=b: no debe pasar el filtro.")
### BEGIN HIDDEN TESTS
assert filtrar(nodo("n", etiquetas={"zona": "a", "disco": "ssd"}), tarea("w", zona="a")) is True, (
    "Un nodo con zona=a (y otras etiquetas) cumple la restricción zona=a.")
assert filtrar(nodo("n"), tarea("w", zona="a")) is False, (
    "Un nodo sin la etiqueta pedida no cumple la restricción.")
_justo = nodo("n", cpu=1.0, memoria=512, tareas=[tarea("a.1", "a", cpu=0.5, memoria=256)])
assert filtrar(_justo, tarea("w", cpu=0.5, memoria=256)) is True, (
    "Si la tarea cabe justo (0.5 CPU libres, 256 MiB libres) debe pasar el filtro.")
assert filtrar(_justo, tarea("w", cpu=0.25, memoria=300)) is False, (
    "Si la memoria libre no alcanza, la tarea no cabe.")
_sin = {k: v for k, v in tarea("w").items() if k != "restricciones"}
try:
    _ok = filtrar(nodo("n"), _sin)
except KeyError as _e:
    raise AssertionError(
        f"Una tarea puede no traer la clave 'restricciones' y filtrar lanzó KeyError: {_e}. "
        "Usa tarea.get('restricciones', {}).") from None
assert _ok is True, "Una tarea sin clave 'restricciones' no tiene restricciones."
### END HIDDEN TESTS

# %% [markdown]
# ### Paso 2 · `programar(tareas, nodos)`: filtrar y puntuar
#
# Escribe `programar(tareas, nodos)` que coloque las tareas **una a una, en orden**, y devuelva un
# diccionario `{id de tarea: nombre del nodo}` (o `None` si **ningún** nodo pasa el filtro: la
# tarea se queda *pendiente*, como `no suitable node` en Swarm o `Pending` en Kubernetes).
#
# Entre los nodos que pasan `filtrar`, gana el de **menor puntuación**, comparando en este orden
# (la estrategia *spread* de Swarm, que reparte las réplicas para que una máquina caída se lleve
# las menos posibles):
#
# 1. menos tareas **del mismo servicio** en el nodo;
# 2. si empatan, menos tareas **en total**;
# 3. si siguen empatados, el que va **antes en la lista** `nodos` (el que se unió antes).
#
# Cada tarea colocada **cuenta** para las siguientes (ocupa CPU y memoria y suma una tarea al
# nodo). Pista: trabaja sobre una copia (`copy.deepcopy(nodos)`): `programar` no debe modificar
# sus argumentos.

# %% nbgrader={"grade": false, "grade_id": "programar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def programar(tareas, nodos):
    ### BEGIN SOLUTION
    nodos = copy.deepcopy(nodos)
    colocacion = {}
    for t in tareas:
        candidatos = [(sum(1 for x in n["tareas"] if x["servicio"] == t["servicio"]),
                       len(n["tareas"]), i) for i, n in enumerate(nodos) if filtrar(n, t)]
        if not candidatos:
            colocacion[t["id"]] = None
            continue
        elegido = nodos[min(candidatos)[2]]
        elegido["tareas"].append(t)
        colocacion[t["id"]] = elegido["nombre"]
    return colocacion
    ### END SOLUTION


# %%
tres = [nodo("nodo-1"), nodo("nodo-2"), nodo("nodo-3")]
programar([tarea(f"web.{i}") for i in range(1, 7)], tres)

# %% nbgrader={"grade": true, "grade_id": "test_programar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _por_nodo(colocacion):
    cuenta = {}
    for nombre in colocacion.values():
        cuenta[nombre] = cuenta.get(nombre, 0) + 1
    return cuenta


_tres = [nodo("nodo-1"), nodo("nodo-2"), nodo("nodo-3")]
_copia = copy.deepcopy(_tres)
_c = programar([tarea(f"web.{i}") for i in range(1, 7)], _tres)
assert _por_nodo(_c) == {"nodo-1": 2, "nodo-2": 2, "nodo-3": 2}, (
    f"6 réplicas en 3 nodos iguales deben repartirse 2/2/2 y llegó {_c}.")
assert _tres == _copia, "programar no debe modificar la lista de nodos que recibe."
_c = programar([tarea("web.1")], _tres)
assert _c == {"web.1": "nodo-1"}, f"En un empate total gana el primer nodo de la lista: llegó {_c}."
_c = programar([tarea("web.1"), tarea("web.2")],
               [nodo("a", estado="down"), nodo("b", disponibilidad="drain"), nodo("c")])
assert _c == {"web.1": "c", "web.2": "c"}, f"Solo 'c' pasa el filtro: se esperaba todo en c y llegó {_c}."
_c = programar([tarea("web.1", cpu=4)], _tres)
assert _c == {"web.1": None}, f"Una tarea de 4 CPU no cabe en ningún nodo de 2: se esperaba None y llegó {_c}."
_ocupado = [nodo("n1", tareas=[tarea("db.1", "db")]), nodo("n2")]
_c = programar([tarea("web.1")], _ocupado)
assert _c == {"web.1": "n2"}, (
    f"Sin tareas de web en ninguno, gana el que tiene menos tareas en total (n2) y llegó {_c}.")
_c = programar([tarea("web.1")], [nodo("n1", tareas=[tarea("db.1", "db"), tarea("db.2", "db")]),
                                  nodo("n2", tareas=[tarea("web.0")])])
assert _c == {"web.1": "n1"}, (
    f"Primero cuenta el mismo servicio: n1 no tiene ninguna de web y debe ganar; llegó {_c}.")

# %% [markdown]
# La prueba oculta compara tu `programar` con el de referencia en clústeres generados al azar
# (con semilla fija): nodos caídos, vaciados, llenos, con etiquetas, y tareas de varios servicios
# con restricciones.

# %% nbgrader={"grade": true, "grade_id": "test_programar_oculto", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
assert programar([], _tres) == {}, "Sin tareas no hay nada que colocar: se esperaba {}."
### BEGIN HIDDEN TESTS
def _referencia(tareas, nodos):
    nodos = copy.deepcopy(nodos)
    salida = {}
    for t in tareas:
        mejor = None
        for i, n in enumerate(nodos):
            libre_cpu = n["cpu"] - sum(x["cpu"] for x in n["tareas"])
            libre_mem = n["memoria"] - sum(x["memoria"] for x in n["tareas"])
            ok = (n["estado"] == "ready" and n["disponibilidad"] == "active"
                  and t["cpu"] <= libre_cpu and t["memoria"] <= libre_mem
                  and all(n["etiquetas"].get(k) == v
                          for k, v in t.get("restricciones", {}).items()))
            if ok:
                clave = (sum(1 for x in n["tareas"] if x["servicio"] == t["servicio"]),
                         len(n["tareas"]), i)
                mejor = clave if mejor is None or clave < mejor else mejor
        if mejor is None:
            salida[t["id"]] = None
        else:
            nodos[mejor[2]]["tareas"].append(t)
            salida[t["id"]] = nodos[mejor[2]]["nombre"]
    return salida


_rng = random.Random(SEED + 202)
for _caso in range(50):
    _nodos = []
    _cuantos = _rng.randint(1, 6)
    _nombres = [f"n{_j}" for _j in range(_cuantos)]
    _rng.shuffle(_nombres)  # el empate final es por posición en la lista, no por nombre
    for _i in range(_cuantos):
        _zona = _rng.choice(["a", "b", None])
        _previas = [tarea(f"p{_i}.{k}", _rng.choice(["web", "db", "cache"]),
                          cpu=_rng.choice([0.25, 0.5]), memoria=_rng.choice([128, 256]))
                    for k in range(_rng.randint(0, 3))]
        _nodos.append(nodo(_nombres[_i], estado=_rng.choice(["ready"] * 4 + ["down"]),
                           disponibilidad=_rng.choice(["active"] * 4 + ["drain", "pause"]),
                           cpu=_rng.choice([1.0, 2.0, 4.0]), memoria=_rng.choice([512, 1024, 4096]),
                           etiquetas={"zona": _zona} if _zona else {}, tareas=_previas))
    _tareas = []
    for _k in range(_rng.randint(0, 10)):
        _r = {"zona": _rng.choice(["a", "b"])} if _rng.random() < 0.3 else {}
        _tareas.append(tarea(f"t{_k}", _rng.choice(["web", "db"]), cpu=_rng.choice([0.25, 0.5, 1.0]),
                             memoria=_rng.choice([128, 256, 512]), **_r))
    _antes = copy.deepcopy(_nodos)
    _esperado = _referencia(_tareas, _nodos)
    _llegado = programar(_tareas, _nodos)
    assert _llegado == _esperado, (
        f"Caso {_caso}: con nodos {_antes} y tareas {_tareas} se esperaba {_esperado} y llegó "
        f"{_llegado}.")
    assert _nodos == _antes, f"Caso {_caso}: programar no debe modificar los nodos."
### END HIDDEN TESTS

# %% [markdown]
# ## 4. El clúster real, leído con docker-py
#
# Volvamos al servicio `web`. En Swarm, cada réplica es una **tarea** (*task*) y cada tarea
# tiene un nodo (`NodeID`), un estado deseado (`DesiredState`) y un estado actual
# (`Status.State`). Con docker-py:
#
# | terminal | docker-py |
# |---|---|
# | `docker node ls` | `client.nodes.list()`; el nombre está en `nodo.attrs["Description"]["Hostname"]` |
# | `docker service ps web` | `servicio.tasks()`, una lista de diccionarios |
# | `docker service ps web --filter desired-state=running` | `servicio.tasks(filters={"desired-state": "running"})` |
#
# ### Paso 3 · `tareas_por_nodo(lab, servicio)`
#
# Devuelve `{nombre del nodo: número de tareas del servicio en marcha en él}`, con **todos** los
# nodos (también los que tienen 0). Una tarea cuenta si su estado deseado **y** su estado actual
# son `"running"`: una tarea que el orquestador ya dio por perdida (deseado `shutdown`) no cuenta,
# aunque lo último que se supo de ella fuese `running`.

# %% nbgrader={"grade": false, "grade_id": "tareas_por_nodo", "locked": false, "schema_version": 3, "solution": true, "task": false}
def tareas_por_nodo(lab, servicio):
    ### BEGIN SOLUTION
    nombres = {n.id: n.attrs["Description"]["Hostname"] for n in lab.client.nodes.list()}
    cuenta = {nombre: 0 for nombre in nombres.values()}
    for t in servicio.tasks(filters={"desired-state": "running"}):
        if t["DesiredState"] == "running" and t["Status"]["State"] == "running":
            cuenta[nombres[t["NodeID"]]] += 1
    return cuenta
    ### END SOLUTION


# %%
tareas_por_nodo(lab, web)

# %% nbgrader={"grade": true, "grade_id": "test_tareas_por_nodo", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_nodos_lab = sorted(n.attrs["Description"]["Hostname"] for n in client.nodes.list())
_cuenta = tareas_por_nodo(lab, web)
assert sorted(_cuenta) == _nodos_lab, (
    f"Se esperaba una entrada por nodo ({_nodos_lab}) y llegó {sorted(_cuenta)}.")
assert sum(_cuenta.values()) == 6, (
    f"El servicio tiene 6 réplicas en marcha y tareas_por_nodo suma {sum(_cuenta.values())}: {_cuenta}.")
### BEGIN HIDDEN TESTS
_otro = client.services.create(lab.image("web", 2), name=lab.name("oculto"),
                               labels=lab.labels(app="oculto"),
                               mode=docker.types.ServiceMode("replicated", replicas=2),
                               endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"))
try:
    assert esperar_en_marcha(_otro, 2) == 2
    _c = tareas_por_nodo(lab, _otro)
    assert sum(_c.values()) == 2 and sorted(_c) == _nodos_lab, (
        f"Para un servicio de 2 réplicas se esperaban 2 tareas repartidas entre {_nodos_lab} y "
        f"llegó {_c}.")
    assert sum(tareas_por_nodo(lab, web).values()) == 6, "Cada servicio cuenta solo sus tareas."
finally:
    _otro.remove()


class _ServicioDePrueba:
    """Un servicio de mentira con un historial de tareas escrito a mano (filtra como la API)."""

    id = name = "de-prueba"

    def __init__(self, tareas):
        self._tareas = tareas

    def tasks(self, filters=None):
        quiere = (filters or {}).get("desired-state")
        return [t for t in self._tareas if quiere is None or t["DesiredState"] == quiere]


_ids = {n.attrs["Description"]["Hostname"]: n.id for n in client.nodes.list()}
_primero = sorted(_ids)[0]
_historial = [{"NodeID": _ids[_primero], "DesiredState": d, "Status": {"State": e}}
              for d, e in [("running", "running"), ("running", "running"),
                           ("shutdown", "running"),   # dada por perdida: lo último que se supo
                           ("shutdown", "shutdown"), ("running", "starting")]]
_c = tareas_por_nodo(lab, _ServicioDePrueba(_historial))
_esperado = {nombre: (2 if nombre == _primero else 0) for nombre in _ids}
assert _c == _esperado, (
    "Una tarea cuenta si su estado deseado y su estado actual son 'running' (una con "
    f"DesiredState 'shutdown' ya no es del servicio): se esperaba {_esperado} y llegó {_c}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Un nodo se cae: autocuración de nodos
#
# Cuando un worker deja de responder (se va la luz, se corta la red), los managers lo marcan
# `down`. Sus tareas no se pueden consultar: el orquestador las da por perdidas (estado deseado
# `shutdown`) y el bucle de control ve que faltan réplicas: crea tareas nuevas y el *scheduler*
# las coloca **en los nodos sanos**. Es la última línea de la autocuración del módulo: *reemplaza
# nodos caídos*. (Swarm no devuelve las tareas cuando el nodo vuelve: no reequilibra.)
#
# ```
#   antes                          nodo-2 cae                       después
#  sim     nodo-2   nodo-3        sim     nodo-2 ✘  nodo-3         sim     nodo-2 ✘  nodo-3
#  [web1]  [web2]   [web3]        [web1]  [web2?]   [web3]         [web1]  (nada)    [web3]
#  [web4]  [web5]   [web6]        [web4]  [web5?]   [web6]         [web4]            [web6]
#                                                                  [web2']           [web5']
# ```
#
# Como el orquestador usa las mismas reglas que tu `programar`, puedes **predecir** adónde irán.
# Esta función (dada) lee el clúster con docker-py y lo describe con los diccionarios de tu
# *scheduler*:

# %%
def leer_nodos(lab, servicio):
    """Los nodos del swarm (en orden de alta) con las tareas del servicio que corren en cada uno."""
    nodos = []
    tareas = [t for t in servicio.tasks(filters={"desired-state": "running"})
              if t["Status"]["State"] == "running"]
    for n in sorted(lab.client.nodes.list(), key=lambda n: (n.attrs["CreatedAt"],
                                                            n.attrs["Description"]["Hostname"])):
        a = n.attrs
        recursos = a["Description"]["Resources"]
        nodos.append({
            "nombre": a["Description"]["Hostname"], "estado": a["Status"]["State"],
            "disponibilidad": a["Spec"]["Availability"], "cpu": recursos["NanoCPUs"] / 1e9,
            "memoria": recursos["MemoryBytes"] // 2**20, "etiquetas": a["Spec"].get("Labels", {}),
            "tareas": [{"id": t["ID"], "servicio": servicio.name, "cpu": 0, "memoria": 0}
                       for t in tareas if t["NodeID"] == n.id]})
    return nodos


for n in leer_nodos(lab, web):
    print(f"{n['nombre']:<10} {n['estado']:<6} cpu={n['cpu']:<4} memoria={n['memoria']:>6} MiB "
          f"tareas de web: {len(n['tareas'])}")

# %% [markdown]
# ### Paso 4 · `reprogramar(nodos, caido)`
#
# Escribe `reprogramar(nodos, caido)`: qué pasaría si el nodo llamado `caido` se cayera. Devuelve
# la colocación (como `programar`) de **sus** tareas en el resto del clúster:
#
# 1. haz una copia de `nodos` donde el nodo `caido` esté `"down"` y **sin tareas** (se han
#    perdido);
# 2. coloca las tareas que tenía con **tu** `programar`, en el mismo orden.
#
# No debe modificar `nodos`.

# %% nbgrader={"grade": false, "grade_id": "reprogramar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def reprogramar(nodos, caido):
    ### BEGIN SOLUTION
    nodos = copy.deepcopy(nodos)
    perdidas = []
    for n in nodos:
        if n["nombre"] == caido:
            perdidas, n["tareas"], n["estado"] = n["tareas"], [], "down"
    return programar(perdidas, nodos)
    ### END SOLUTION


# %%
if lab.engine is not None:
    prediccion = reprogramar(leer_nodos(lab, web), "nodo-2")
else:  # con un único nodo real, imaginamos dos workers vacíos más y que cae el nuestro
    hipotesis = leer_nodos(lab, web) + [nodo("extra-1"), nodo("extra-2")]
    prediccion = reprogramar(hipotesis, hipotesis[0]["nombre"])
prediccion

# %% nbgrader={"grade": true, "grade_id": "test_reprogramar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
_cl = [nodo("m"), nodo("w1", tareas=[tarea("web.1"), tarea("web.2")]),
       nodo("w2", tareas=[tarea("web.3")])]
_copia = copy.deepcopy(_cl)
_r = reprogramar(_cl, "w1")
assert _r == {"web.1": "m", "web.2": "m"}, (
    "Al caer w1, web.1 va a m (0 de web frente a 1 en w2) y web.2 también (empate 1 a 1 en web y "
    f"en total: gana m, que va antes); se esperaba {{'web.1': 'm', 'web.2': 'm'}} y llegó {_r}.")
assert _cl == _copia, "reprogramar no debe modificar los nodos que recibe."
assert "w1" not in _r.values(), "Ninguna tarea puede volver al nodo caído."
### BEGIN HIDDEN TESTS
_rng = random.Random(SEED + 303)
for _caso in range(30):
    _cl = []
    for _i in range(_rng.randint(2, 6)):
        _cl.append(nodo(f"n{_i}", cpu=_rng.choice([1.0, 2.0]), memoria=1024,
                        disponibilidad=_rng.choice(["active"] * 5 + ["drain"]),
                        tareas=[tarea(f"n{_i}.{k}", _rng.choice(["web", "db"]))
                                for k in range(_rng.randint(0, 3))]))
    _victima = _rng.choice(_cl)["nombre"]
    _resto = copy.deepcopy(_cl)
    _perdidas = []
    for _n in _resto:
        if _n["nombre"] == _victima:
            _perdidas, _n["tareas"], _n["estado"] = _n["tareas"], [], "down"
    _esperado = _referencia(_perdidas, _resto)
    _r = reprogramar(_cl, _victima)
    assert _r == _esperado, f"Caso {_caso}: al caer {_victima} se esperaba {_esperado} y llegó {_r}."
    assert _victima not in _r.values(), f"Caso {_caso}: ninguna tarea debe volver a {_victima}."
### END HIDDEN TESTS

# %% [markdown]
# ### A jugar: tira un nodo
#
# El control de abajo tira un nodo worker del simulador, como si se fuera la luz (un motor real no
# puede apagar una máquina desde docker-py: ahí el control está desactivado). Después de tirarlo,
# refresca la rejilla tras unos segundos: la columna del nodo queda marcada **NODO CAÍDO**, sus
# tareas «sin contacto», y aparecen réplicas nuevas en los nodos sanos.

# %%
tirar = NodeDownControl(lab, views=[rejilla, eventos])
widgets.VBox([tirar, rejilla, eventos])

# %% [markdown]
# Y ahora de verdad, en una celda: tiramos `nodo-2` (solo en el simulador), esperamos a que el
# orquestador reponga las réplicas y comparamos con tu predicción.

# %%
def esperado_tras_caida(nodos, caido, prediccion):
    """Tareas por nodo que predice `reprogramar`: las que siguen más las recolocadas."""
    cuenta = {n["nombre"]: (0 if n["nombre"] == caido else len(n["tareas"])) for n in nodos}
    for destino in prediccion.values():
        if destino is not None:
            cuenta[destino] += 1
    return cuenta


if lab.engine is not None:
    antes = leer_nodos(lab, web)
    prediccion = reprogramar(antes, "nodo-2")
    lab.engine.swarm.node_down("nodo-2")
    print("en marcha tras la caída:", esperar_en_marcha(web, 6))
    despues = tareas_por_nodo(lab, web)
    print("predicción:", esperado_tras_caida(antes, "nodo-2", prediccion))
    print("real:      ", despues)
else:
    print("Con un motor real no se puede tirar un nodo: esta parte se ve en el simulador.")
rejilla.refresh()
eventos.refresh()
widgets.VBox([rejilla, eventos])

# %% nbgrader={"grade": true, "grade_id": "test_nodo_caido", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _en_marcha_por_nodo(servicio):
    """Lo que hizo el orquestador, leído por el curso (no por tu tareas_por_nodo: esta prueba
    puntúa tu predicción, y tareas_por_nodo ya tiene la suya)."""
    return {n["nombre"]: len(n["tareas"]) for n in leer_nodos(lab, servicio)}


if lab.engine is not None:
    _despues = _en_marcha_por_nodo(web)
    assert _despues.get("nodo-2") == 0, (
        f"Tras caer nodo-2 quedan {_despues.get('nodo-2')} tareas en marcha allí y se esperaban 0.")
    assert sum(_despues.values()) == 6, (
        f"El orquestador debía reponer las 6 réplicas en los nodos sanos y hay "
        f"{sum(_despues.values())}: {_despues}.")
    _prev = esperado_tras_caida(antes, "nodo-2", reprogramar(antes, "nodo-2"))
    assert _despues == _prev, (
        f"Tu predicción ({_prev}) debía coincidir con lo que hizo el orquestador ({_despues}).")
else:  # un motor real no puede tirar su único nodo: lo suponemos con dos workers vacíos más
    _unico = client.nodes.list()[0].attrs["Description"]["Hostname"]
    _c = _en_marcha_por_nodo(web)
    assert _c == {_unico: 6}, f"Se esperaban las 6 tareas en {_unico} y el clúster dice {_c}."
    _hipotesis = leer_nodos(lab, web) + [nodo("extra-1"), nodo("extra-2")]
    _prev = esperado_tras_caida(_hipotesis, _unico, reprogramar(_hipotesis, _unico))
    assert _prev == {_unico: 0, "extra-1": 3, "extra-2": 3}, (
        f"Si cayera {_unico} con dos workers vacíos, sus 6 tareas debían repartirse 3 y 3, y tu "
        f"predicción es {_prev}.")

# %% [markdown]
# ## 6. Restricciones de colocación y vaciar un nodo (*drain*)
#
# Dos órdenes del día a día de un operador, y tu `filtrar` ya sabe de las dos:
#
# * una **restricción de colocación** (`constraints=["node.labels.zona==a"]`): las tareas del
#   servicio solo pueden ir a nodos con la etiqueta `zona=a` (`docker node update --label-add
#   zona=a nodo-3`). Es tu `tarea["restricciones"]`. Si ningún nodo la cumple, las tareas se
#   quedan **pendientes** (`pending`, «no suitable node (scheduling constraints not satisfied…)»)
#   hasta que alguno la cumpla;
# * **vaciar** un nodo (`docker node update --availability drain nodo-3`), por ejemplo antes de
#   actualizar su sistema: el orquestador para sus tareas y las **reprograma** en otros nodos que
#   pasen el filtro; si no queda ninguno, se quedan pendientes hasta que alguno vuelva a `active`.
#
# ```
#   servicio zonal, constraints=[node.labels.zona==a], 2 réplicas
#
#                    sim (sin zona)   nodo-2 (caído)   nodo-3
#   1. sin etiquetas      -                -             -          z1, z2 pendientes
#   2. zona=a en nodo-3   -                -           [z1][z2]
#   3. nodo-3 en drain    -                -             -          z1, z2 pendientes
#                                                                   (las de web de nodo-3 van a sim)
# ```
#
# En el simulador lo haces todo de verdad. **Con un motor real** hay un solo nodo y lo comparten
# todos los servicios del motor (los tuyos y los de otros cuadernos): ponerle etiquetas o
# vaciarlo afectaría a todos (vaciar el único nodo deja **todas** las tareas del motor
# pendientes). Ahí se hace de verdad el paso 1, que no toca el nodo, y los pasos 2 y 3 se
# **predicen** sobre una copia del nodo con la etiqueta o en `drain`; que la restricción excluya a
# otros nodos sanos, y adónde van las tareas de un nodo vaciado, solo se ve con los varios nodos
# del simulador. En cada paso, primero **predice** con tu `programar` y después mira qué hace el
# orquestador.

# %%
def pendientes(servicio):
    """Las tareas que esperan nodo (estado `pending`). Su estado deseado es `running`, o `ready`
    mientras corre el retardo de reinicio (`restart_policy`, 5 s por defecto)."""
    return [t for t in servicio.tasks() if t["DesiredState"] in ("running", "ready")
            and t["Status"]["State"] == "pending"]


def esperar_pendientes(servicio, n, intentos=40):
    """Espera (acotado) a que haya ``n`` tareas pendientes; devuelve cuántas hay."""
    for _ in range(intentos):
        if len(pendientes(servicio)) == n:
            break
        lab.sleep(0.25)
    return len(pendientes(servicio))


def cambiar_nodo(nombre, **cambios):
    """`docker node update`: cambia el Spec del nodo (Labels, Availability) y lo envía."""
    n = next(n for n in client.nodes.list() if n.attrs["Description"]["Hostname"] == nombre)
    n.update({**n.attrs["Spec"], **cambios})


def con_cambio(nodos, nombre, **cambios):
    """Una copia de los nodos de tu scheduler con un nodo cambiado (para predecir)."""
    copia = copy.deepcopy(nodos)
    for n in copia:
        if n["nombre"] == nombre:
            n.update(cambios)
    return copia


simulador = lab.engine is not None
nodo_a = "nodo-3" if simulador else client.nodes.list()[0].attrs["Description"]["Hostname"]
tareas_zonal = [tarea(f"zonal.{i}", "zonal", cpu=0, memoria=0, zona="a") for i in (1, 2)]

# Paso 1: ningún nodo tiene zona=a (de verdad en los dos motores)
zonal = client.services.create(
    image=lab.image("web", 1), name=lab.name("zonal"), labels=lab.labels(app="zonal"),
    mode=docker.types.ServiceMode("replicated", replicas=2),
    constraints=["node.labels.zona==a"],
    endpoint_spec=docker.types.EndpointSpec(mode="dnsrr"))
prediccion_1 = programar(tareas_zonal, leer_nodos(lab, zonal))
print("1. predicción:", prediccion_1)
print("   pendientes:", esperar_pendientes(zonal, 2),
      [t["Status"].get("Err") or t["Status"]["Message"] for t in pendientes(zonal)][:1])

# %% [markdown]
# Paso 2: ponemos la etiqueta `zona=a` a `nodo_a` (de verdad solo en el simulador). Antes de
# ejecutar: ¿dónde irán las dos tareas? ¿Y las de `web`?

# %%
etiquetada = con_cambio(leer_nodos(lab, zonal), nodo_a, etiquetas={"zona": "a"})
prediccion_2 = programar(tareas_zonal, etiquetada)
print("2. predicción:", prediccion_2)
if simulador:
    cambiar_nodo(nodo_a, Labels={"zona": "a"})
    print("   en marcha:", esperar_en_marcha(zonal, 2),
          {n: c for n, c in tareas_por_nodo(lab, zonal).items() if c})

# %% [markdown]
# Paso 3: vaciamos `nodo_a` (de verdad solo en el simulador). ¿Adónde irán las tareas de `zonal`?
# ¿y las de `web` que corrían allí?

# %%
vaciada = con_cambio(etiquetada, nodo_a, disponibilidad="drain", tareas=[])
prediccion_3 = programar(tareas_zonal, vaciada)
print("3. predicción:", prediccion_3)
if simulador:
    cambiar_nodo(nodo_a, Availability="drain")
    print("   pendientes:", esperar_pendientes(zonal, 2))
    print("   web en marcha:", esperar_en_marcha(web, 6), tareas_por_nodo(lab, web))
rejilla.refresh()
rejilla

# %% nbgrader={"grade": true, "grade_id": "test_drenar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
assert prediccion_1 == {"zonal.1": None, "zonal.2": None}, (
    "Ningún nodo tiene la etiqueta zona=a: tu programar debía dejar las dos tareas pendientes "
    f"(None) y predijo {prediccion_1}. Revisa cómo filtrar usa tarea['restricciones'].")
assert prediccion_2 == {"zonal.1": nodo_a, "zonal.2": nodo_a}, (
    f"Con zona=a solo en {nodo_a}, tu programar debía poner allí las dos tareas y predijo "
    f"{prediccion_2}.")
assert prediccion_3 == {"zonal.1": None, "zonal.2": None}, (
    f"Con {nodo_a} vaciado no queda ningún nodo con zona=a: tu programar debía dejar las dos "
    f"tareas pendientes (None) y predijo {prediccion_3}. Un nodo en drain no recibe tareas.")
_pend = pendientes(zonal)
assert len(_pend) == 2 and not any(_en_marcha_por_nodo(zonal).values()), (
    f"El orquestador debía dejar las 2 tareas de zonal pendientes y hay {len(_pend)} pendientes y "
    f"{_en_marcha_por_nodo(zonal)} en marcha.")
if simulador:
    _web = _en_marcha_por_nodo(web)
    assert _web.get(nodo_a) == 0 and sum(_web.values()) == 6, (
        f"Al vaciar {nodo_a}, las 6 tareas de web debían seguir en marcha fuera de él: {_web}.")

# %%
if simulador:
    cambiar_nodo(nodo_a, Availability="active", Labels={})  # el nodo, como estaba
zonal.remove()

# %% [markdown]
# ## 7. ¿Y si se cae un manager? El quórum
#
# Los managers guardan el estado del clúster replicado con **Raft** (etcd en Kubernetes hace lo
# mismo). Para cambiar algo hace falta que **la mayoría** de los managers esté de acuerdo: el
# **quórum**. Si se pierde la mayoría, el clúster no puede tomar decisiones nuevas (las tareas
# que ya corren siguen corriendo, pero nadie reprograma nada).
#
# | managers | quórum (mayoría) | fallos tolerados |
# |---|---|---|
# | 1 | 1 | 0 |
# | 2 | 2 | 0 |
# | 3 | 2 | 1 |
# | 4 | 3 | 1 |
# | 5 | 3 | 2 |
# | 7 | 4 | 3 |
#
# Por eso se usan **3, 5 o 7** managers: un número par cuesta una máquina más y no tolera ningún
# fallo más. Con `N` managers se toleran `(N − 1) // 2` caídas.
#
# ### Paso 5 · `quorum(n)` y `fallos_tolerados(n)`
#
# Escribe las dos funciones para `n ≥ 1` managers: `quorum(n)` es la mayoría estricta y
# `fallos_tolerados(n)` cuántos managers pueden caer sin perderla.

# %% nbgrader={"grade": false, "grade_id": "quorum", "locked": false, "schema_version": 3, "solution": true, "task": false}
def quorum(n):
    ### BEGIN SOLUTION
    return n // 2 + 1
    ### END SOLUTION


def fallos_tolerados(n):
    ### BEGIN SOLUTION
    return (n - 1) // 2
    ### END SOLUTION


# %%
[(n, quorum(n), fallos_tolerados(n)) for n in range(1, 8)]

# %% nbgrader={"grade": true, "grade_id": "test_quorum", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_tabla = [(1, 1, 0), (2, 2, 0), (3, 2, 1), (4, 3, 1), (5, 3, 2), (7, 4, 3)]
for _n, _q, _f in _tabla:
    assert quorum(_n) == _q, f"Con {_n} managers el quórum es {_q} y llegó {quorum(_n)}."
    assert fallos_tolerados(_n) == _f, (
        f"Con {_n} managers se toleran {_f} fallos y llegó {fallos_tolerados(_n)}.")
### BEGIN HIDDEN TESTS
for _n in range(1, 200):
    assert quorum(_n) > _n / 2 and quorum(_n) - 1 <= _n / 2, (
        f"quorum({_n}) debe ser la mayoría estricta más pequeña y llegó {quorum(_n)}.")
    assert fallos_tolerados(_n) == _n - quorum(_n), (
        f"Con {_n} managers pueden caer {_n - quorum(_n)} sin perder la mayoría y llegó "
        f"{fallos_tolerados(_n)}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Lo que has aprendido
#
# * 🔑 **Cluster**: conjunto de nodos trabajando juntos; **managers** (el *control plane*: API,
#   *scheduler*, controladores, estado en etcd/Raft) y **workers** (ejecutan las cargas).
# * El **scheduler** filtra (¿puede?) y puntúa (¿cuál es mejor?); *spread* reparte las réplicas
#   de un servicio para que una máquina caída se lleve las menos posibles.
# * 🔑 **Self-Healing** también con máquinas: las tareas de un nodo caído se reprograman en los
#   nodos sanos.
# * Los managers deciden por **quórum**: con `N` se toleran `(N − 1) // 2` caídas; usa 3, 5 o 7.
#
# En el cuaderno 03: cómo se encuentran los servicios entre sí (*service discovery*) cuando las
# réplicas cambian de nodo y de dirección.

# %% nbgrader={"grade": false, "grade_id": "cleanup", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
