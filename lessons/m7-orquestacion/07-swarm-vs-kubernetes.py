# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Docker Swarm vs Kubernetes
#
# **Módulo 7 — Introducción a Orquestación**
#
# Los dos orquestadores que verás en los próximos módulos resuelven los mismos problemas (estado
# deseado, réplicas, autocuración, rolling updates, service discovery, balanceo), pero con
# filosofías distintas. En este cuaderno no te lo contamos: lo haces. Creas un **servicio real de
# Docker Swarm** con docker-py, lo escalas y lo actualizas; escribes **la misma aplicación** como
# manifiestos de **Kubernetes** y los validas contra el esquema real de Kubernetes; y terminas
# convirtiendo los **casos de uso** del módulo en un recomendador.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `crear_servicio`: un servicio de Swarm replicado, `dnsrr`, con su `UpdateConfig` completa | 3 |
# | 2 | `escalar_servicio`: de 3 a 5 réplicas, esperando a que estén en marcha | 2 |
# | 3 | `actualizar_servicio`: rolling update a v2, comprobado en el historial de tareas | 3 |
# | 4 | `reemplazadas_por_salud`: qué tareas sustituyó Swarm porque dejaron de estar sanas | 2 |
# | 5 | `manifiestos`: Deployment + Service de Kubernetes, válidos contra el esquema real | 3 |
# | 6 | `recomendar`: ¿Compose, Swarm o Kubernetes? | 1 + 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import kubernetes_validate
import yaml
from docker.types import EndpointSpec, Healthcheck, RestartPolicy, ServiceMode, UpdateConfig
from IPython.display import display

from course import Lab
from course.views import ClusterGrid

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client
SEGUNDO = 1_000_000_000  # Swarm mide las duraciones en nanosegundos


def tareas_en_marcha(servicio):
    """Las tareas del servicio que deben estar en marcha y lo están."""
    return [t for t in servicio.tasks(filters={"desired-state": "running"})
            if t["Status"]["State"] == "running"]


class _SinAlias(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def a_yaml(documentos):
    """Los manifiestos como YAML, en el orden en que se escribieron."""
    return yaml.dump_all(documentos, Dumper=_SinAlias, sort_keys=False, allow_unicode=True)


def imagen_de(tarea):
    """La imagen de una tarea, sin el digest: 'course/web:2'."""
    return tarea["Spec"]["ContainerSpec"]["Image"].split("@")[0]


# %% [markdown]
# ## 1. Dos orquestadores, una tabla
#
# Esta es la tabla del módulo. Léela con lo que ya sabes de los cuadernos anteriores: cada fila
# tiene un **porqué**.
#
# | Característica | Docker Swarm | Kubernetes | por qué |
# |---|---|---|---|
# | **Complejidad** | Simple, fácil de aprender | Complejo, curva de aprendizaje | Swarm añade a Docker unos pocos objetos (servicio, tarea, nodo, secreto). Kubernetes tiene decenas (Pod, Deployment, ReplicaSet, Service, Ingress, ConfigMap…) y cada uno con su YAML. |
# | **Setup** | Rápido (minutos) | Complejo (horas/días) | Swarm ya viene dentro de Docker: `docker swarm init` y listo (la celda de abajo lo hace). Kubernetes necesita montar su *control plane* (API server, etcd, scheduler, controller manager), un kubelet y una red (CNI) en cada nodo. |
# | **Escalabilidad** | Buena (cientos de nodos) | Excelente (miles de nodos) | Kubernetes está probado oficialmente hasta 5000 nodos. |
# | **Ecosistema** | Limitado | Muy amplio | Alrededor de Kubernetes hay Helm, operadores, service meshes, el HPA…: la CNCF entera. |
# | **Popularidad** | Menor | Estándar de industria | Todas las nubes venden Kubernetes gestionado (EKS, GKE, AKS). |
# | **Auto-scaling** | Limitado | Avanzado | Swarm no trae autoescalador: escala cuando tú (o tu script) lo pides. Kubernetes trae el HPA que programaste en el cuaderno 06. |
# | **Comunidad** | Pequeña | Muy grande | Más respuestas, más herramientas, más gente que contratar. |
# | **Mejor para** | Proyectos pequeños/medianos | Empresas, producción a escala | Lo convertirás en código en el paso 5. |
#
# Y lo más importante: **los conceptos son los mismos**. Cambian los nombres:
#
# | concepto | Docker Swarm | Kubernetes |
# |---|---|---|
# | la aplicación y su estado deseado | *service* (`docker service create`) | *Deployment* |
# | una réplica en marcha | *task* (una tarea, con su contenedor) | *Pod* |
# | el nombre estable y el balanceo | el propio servicio (DNS interno, `dnsrr` o VIP) | *Service* |
# | escalar | `docker service scale web=5` | `kubectl scale deployment web --replicas=5` |
# | cómo actualizar | `UpdateConfig` (parallelism, delay, order…) | `strategy.rollingUpdate` (maxSurge, maxUnavailable) |
# | describir todo en un fichero | stack (un fichero compose) | manifiestos YAML |
#
# ## 2. Un clúster de Swarm en una orden
#
# `docker swarm init` convierte este motor en un clúster de un nodo: el nodo es a la vez *manager*
# (control plane) y *worker*. Con docker-py es `client.swarm.init(advertise_addr="127.0.0.1")`.
#
# En este cuaderno lo hace `lab.ensure_swarm()`, que cuida de dejar tu motor como estaba: si ya
# estaba en modo Swarm lo usa tal cual; si no, lo inicia con
# `client.swarm.init(advertise_addr="127.0.0.1", labels={"course.kit": "modulo7"})` (la etiqueta
# marca el Swarm como del curso) y espera a que el manager recién nacido conteste. Al final,
# `lab.cleanup()` borra lo que creó el laboratorio y sale del Swarm
# (`client.swarm.leave(force=True)`) solo si es del curso y ya no queda en él ningún servicio ni
# secreto: un Swarm tuyo, o uno que otro cuaderno del curso está usando, no se toca. El último en
# salir apaga la luz.

# %% nbgrader={"grade": false, "grade_id": "swarm_init", "locked": true, "schema_version": 3, "solution": false, "task": false}
swarm_iniciado_aqui = lab.ensure_swarm()
nodos = client.nodes.list()
print(f"Swarm activo ({'iniciado por este cuaderno' if swarm_iniciado_aqui else 'ya lo estaba'}):",
      ", ".join(f"{n.attrs['Description']['Hostname']} ({n.attrs['Spec']['Role']})" for n in nodos))

# %% [markdown]
# ## 3. Un servicio de Swarm con docker-py
#
# Un **servicio** es la definición de cómo ejecutar la aplicación: imagen, número de réplicas,
# puertos, redes… y cómo actualizarla. Swarm crea una **tarea** por réplica (una por *slot*:
# 1, 2, 3…), y cada tarea arranca un contenedor. Tú declaras el estado deseado; Swarm lo mantiene.
#
# ```python
# client.services.create(
#     imagen, name=..., labels=..., container_labels=...,
#     mode=ServiceMode("replicated", replicas=3),
#     endpoint_spec=EndpointSpec(mode="dnsrr"),
#     update_config=UpdateConfig(...),
# )
# ```
#
# Dos trampas que conviene conocer:
#
# - **`endpoint_spec=EndpointSpec(mode="dnsrr")`**. Por defecto (`mode="vip"`) el nombre del
#   servicio resuelve a una **IP virtual** (VIP) dentro de sus redes overlay, y el núcleo (IPVS)
#   reparte las conexiones a esa IP entre las tareas. La **routing mesh** es otra cosa: solo entra
#   en juego con los puertos **publicados en modo `ingress`** (`-p 8080:80`), y hace que *cualquier*
#   nodo del clúster acepte ese puerto y lo lleve a una tarea, esté donde esté. Las dos usan IPVS.
#   Con `dnsrr` el nombre del servicio resuelve directamente a las IP de las tareas (DNS
#   round-robin, como el alias compartido del cuaderno 03), sin VIP; funciona en cualquier
#   máquina (y no admite puertos publicados en modo `ingress`).
# - **`UpdateConfig` de docker-py no trae los valores por defecto de Swarm.** Si escribes
#   `UpdateConfig()` a secas, docker-py envía `Parallelism: 0`, que en Swarm significa **actualizar
#   todas las réplicas a la vez** (¡adiós, cero downtime!), y `FailureAction: continue`. Los
#   valores por defecto de Swarm son parallelism 1, failure_action pause, monitor 5 s, order
#   stop-first. Escribe siempre todos los campos. Las duraciones van en **nanosegundos**
#   (`SEGUNDO = 1_000_000_000`).
#
# ### Paso 1 — `crear_servicio(lab, replicas)`
#
# Crea y devuelve el servicio `lab.name("web")` con la imagen `lab.image("web", 1)`:
#
# - etiquetas `lab.labels(app="web")` en el servicio (`labels=`) **y** en sus contenedores
#   (`container_labels=`), para que `lab.cleanup()` y la rejilla del clúster los encuentren;
# - modo replicado con `replicas` réplicas y `endpoint_spec` en modo `dnsrr`;
# - una `UpdateConfig` con **todos** sus campos: `parallelism=2` (de dos en dos), `delay=1 s`
#   entre tandas, `failure_action="rollback"`, `monitor=1 s` (cuánto vigila cada tanda antes de
#   darla por buena), `max_failure_ratio=0` y `order="start-first"` (arranca la nueva antes de
#   parar la vieja: nunca baja de `replicas`);
# - antes de devolverlo, **espera** (como mucho 60 s, con `lab.sleep(0.5)` entre comprobaciones)
#   a que haya `replicas` tareas en marcha (`tareas_en_marcha(servicio)`).

# %% nbgrader={"grade": false, "grade_id": "crear_servicio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def crear_servicio(lab, replicas):
    ### BEGIN SOLUTION
    actualizacion = UpdateConfig(parallelism=2, delay=1 * SEGUNDO, failure_action="rollback",
                                 monitor=1 * SEGUNDO, max_failure_ratio=0, order="start-first")
    servicio = lab.client.services.create(
        lab.image("web", 1), name=lab.name("web"),
        labels=lab.labels(app="web"), container_labels=lab.labels(app="web"),
        mode=ServiceMode("replicated", replicas=replicas),
        endpoint_spec=EndpointSpec(mode="dnsrr"),
        update_config=actualizacion,
    )
    for _ in range(120):
        if len(tareas_en_marcha(servicio)) == replicas:
            break
        lab.sleep(0.5)  # aún no: se vuelve a mirar
    return servicio
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_crear_servicio", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
servicio = crear_servicio(lab, 3)
servicio.reload()
spec = servicio.attrs["Spec"]
assert spec["Name"] == lab.name("web"), f"Se esperaba el nombre {lab.name('web')!r} y llegó {spec['Name']!r}."
assert spec["Labels"].get("app") == "web", f"Se esperaba la etiqueta app=web y el servicio tiene {spec['Labels']}."
replicas = spec.get("Mode", {}).get("Replicated", {}).get("Replicas")
assert replicas == 3, f"Se esperaba un servicio replicado con 3 réplicas y el modo es {spec.get('Mode')}."
modo = spec.get("EndpointSpec", {}).get("Mode")
assert modo == "dnsrr", f"Se esperaba endpoint_spec en modo 'dnsrr' y llegó {modo!r}."
esperada = {"Parallelism": 2, "Delay": 1 * SEGUNDO, "FailureAction": "rollback",
            "Monitor": 1 * SEGUNDO, "MaxFailureRatio": 0, "Order": "start-first"}
llegada = spec.get("UpdateConfig", {})
for campo, valor in esperada.items():
    assert llegada.get(campo) == valor, (
        f"En UpdateConfig se esperaba {campo}={valor!r} y llegó {llegada.get(campo)!r} "
        f"(UpdateConfig completa: {llegada}).")
en_marcha = tareas_en_marcha(servicio)
assert len(en_marcha) == 3, f"Se esperaban 3 tareas en marcha y hay {len(en_marcha)}."
### BEGIN HIDDEN TESTS
imagenes = {imagen_de(t) for t in en_marcha}
assert imagenes == {lab.image("web", 1)}, f"Se esperaba la imagen course/web:1 y las tareas usan {imagenes}."
etiquetas = spec["TaskTemplate"]["ContainerSpec"].get("Labels", {})
assert etiquetas.get("course.lab") == lab.namespace, (
    f"Se esperaban las etiquetas del laboratorio en los contenedores (container_labels) y llegó {etiquetas}.")
### END HIDDEN TESTS

# %% [markdown]
# La rejilla del clúster: una columna por nodo, una tarjeta por tarea, coloreada por versión y con
# su estado escrito.

# %%
rejilla = ClusterGrid(lab, app="web", title="El servicio web en el clúster")
display(rejilla)

# %% [markdown]
# ### Puertos publicados: la *routing mesh* (`ingress`) o `host`
#
# Nuestro servicio no publica puertos: solo lo alcanzan otros contenedores de sus redes (y las
# peticiones del curso, que salen de dentro del motor). Para abrirlo **fuera** del clúster se
# publica un puerto, `docker service create -p 8080:80 ...`, o con docker-py
# `EndpointSpec(ports={8080: 80})` (publicado 8080 → 80 del contenedor). Swarm tiene dos modos:
#
# ```
#   modo ingress (por defecto): la routing mesh        modo host: sin mesh
#
#   cliente ──► :8080 en CUALQUIER nodo                cliente ──► :8080 solo en los nodos
#               │                                                  que tienen una tarea
#    nodo-1 :8080   nodo-2 :8080   nodo-3 :8080         nodo-1 :8080   nodo-2 (nada)  nodo-3 :8080
#       └──── red ingress (IPVS) ────┘                     │                            │
#       ▼              ▼             ▼                     ▼                            ▼
#    [web.1]        (ninguna)      [web.2]              [web.1]                      [web.2]
#    (la mesh lleva la conexión a una tarea,            (cada nodo atiende con su tarea; dos
#     esté en el nodo que esté)                          tareas no caben en un nodo: el puerto
#                                                        es del nodo)
# ```
#
# * **`ingress`** (`PublishMode: ingress`): todos los nodos escuchan en el puerto publicado, tengan
#   o no una tarea del servicio, y la red `ingress` reparte las conexiones entre las tareas. Un
#   balanceador externo puede apuntar a cualquier nodo. No se puede combinar con `dnsrr` (el motor
#   lo rechaza: *port published with ingress mode can't be used with dnsrr mode*).
# * **`host`** (`EndpointSpec(ports={8080: (80, "tcp", "host")})`): el puerto se abre solo en los
#   nodos donde corre una tarea, directamente, sin mesh; sirve, por ejemplo, con un servicio
#   `global` (una tarea por nodo) detrás de tu propio balanceador.
#
# Lo que el clúster ha hecho se lee en el servicio: `servicio.attrs["Endpoint"]["Ports"]` da, por
# puerto, `TargetPort`, `PublishedPort` (si no lo das, Swarm elige uno libre entre 30000 y 32767) y
# `PublishMode`. (El simulador del curso no publica puertos de servicios, aunque sí los de
# contenedores, como en el cuaderno 03; con un motor real, ese puerto queda abierto en tu máquina
# mientras viva el servicio.)

# %% [markdown]
# ## 4. Escalar: cambiar el estado deseado
#
# En Swarm escalar es cambiar un número del estado deseado: `docker service scale web=5`, o con
# docker-py `servicio.scale(5)`. Swarm crea las tareas de los *slots* 4 y 5 y el scheduler las
# coloca en los nodos. En Kubernetes sería `kubectl scale deployment web --replicas=5`.
#
# ### Paso 2 — `escalar_servicio(lab, servicio, n)`
#
# Escala el servicio a `n` réplicas, espera (como mucho 60 s, con `lab.sleep(0.5)`) a que haya `n`
# tareas en marcha y devuelve cuántas hay.

# %% nbgrader={"grade": false, "grade_id": "escalar_servicio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def escalar_servicio(lab, servicio, n):
    ### BEGIN SOLUTION
    servicio.scale(n)
    for _ in range(120):
        if len(tareas_en_marcha(servicio)) == n:
            break
        lab.sleep(0.5)  # el estado actual aún no alcanza al deseado
    return len(tareas_en_marcha(servicio))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_escalar_servicio", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
devuelto = escalar_servicio(lab, servicio, 5)
en_marcha = tareas_en_marcha(servicio)
assert len(en_marcha) == 5, f"Tras escalar a 5 se esperaban 5 tareas en marcha y hay {len(en_marcha)}."
assert devuelto == 5, f"escalar_servicio debe devolver cuántas tareas hay en marcha: se esperaba 5 y llegó {devuelto!r}."
### BEGIN HIDDEN TESTS
slots = sorted(t["Slot"] for t in en_marcha)
assert slots == [1, 2, 3, 4, 5], f"Se esperaban los slots 1 a 5 y las tareas en marcha están en {slots}."
servicio.reload()
replicas = servicio.attrs["Spec"]["Mode"]["Replicated"]["Replicas"]
assert replicas == 5, f"El estado deseado debe decir 5 réplicas y dice {replicas}."
### END HIDDEN TESTS

# %%
rejilla.refresh()

# %% [markdown]
# Mira la rejilla: además de los *slots* 4 y 5, los slots 1 a 3 reciben una tarea **nueva** de v1
# y la vieja se apaga (con el orden por defecto de Swarm, *stop-first*, primero se para la vieja y
# después arranca la nueva; puede que la rejilla te pille a mitad, con algún slot aún sin
# cambiar). No es tu código: `servicio.scale()` de docker-py lee la especificación del servicio
# **con los valores por defecto rellenos** (`insert_defaults`) y la devuelve entera; Swarm ve una
# plantilla de tarea «distinta» de la que guardó y hace un rolling update. Pasa solo la primera
# vez (después la especificación guardada ya lleva esos valores) y en un motor real igual que en
# el simulador. En producción se evita creando el servicio con esos valores explícitos
# (`stop_grace_period`, `restart_policy`, `resources`…) o escalando con `docker service scale`.

# %% [markdown]
# ## 5. Rolling update, y cómo comprobarlo en el historial
#
# `servicio.update(image=...)` cambia la imagen del estado deseado; Swarm sustituye las tareas
# según la `UpdateConfig`: de dos en dos, arrancando la nueva antes de parar la vieja, vigilando 1 s
# cada tanda y volviendo atrás (*rollback*) si algo falla. Dos detalles de docker-py:
#
# - `servicio.update(...)` **mezcla** lo que pasas con la especificación actual (no pierdes la
#   `UpdateConfig` ni las etiquetas);
# - Swarm rechaza una actualización basada en una versión vieja del servicio (*update out of
#   sequence*): llama a `servicio.reload()` antes de `update` para tener la versión al día
#   (después de `scale` la tuya ya es vieja).
#
# ¿Cómo sabes que la actualización terminó bien? Dos fuentes de verdad:
#
# - `servicio.attrs["UpdateStatus"]["State"]` pasa a `"completed"` (o a `"rollback_completed"` si
#   falló y volvió atrás);
# - el **historial de tareas**: `servicio.tasks()` devuelve también las tareas paradas (Swarm
#   guarda unas pocas por slot). En cada slot debe quedar una tarea de v1 apagada y una de v2 en
#   marcha.
#
# ### Paso 3 — `actualizar_servicio(lab, servicio, version)`
#
# Actualiza el servicio a `lab.image("web", version)` con `servicio.update(image=...)` y espera
# (como mucho 120 s, con
# `lab.sleep(0.5)` y `servicio.reload()` en cada vuelta) a que `UpdateStatus.State` sea
# `"completed"`. Devuelve ese estado.

# %% nbgrader={"grade": false, "grade_id": "actualizar_servicio", "locked": false, "schema_version": 3, "solution": true, "task": false}
def actualizar_servicio(lab, servicio, version):
    ### BEGIN SOLUTION
    servicio.reload()
    servicio.update(image=lab.image("web", version))
    estado = None
    for _ in range(240):
        servicio.reload()
        estado = servicio.attrs.get("UpdateStatus", {}).get("State")
        if estado in ("completed", "rollback_completed", "paused"):
            break
        lab.sleep(0.5)  # Swarm sigue actualizando
    return estado
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_actualizar_servicio", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
servicio.reload()
config_antes = servicio.attrs["Spec"].get("UpdateConfig")
servicio.scale(5)  # el mismo número: no cambia nada, pero la versión que guarda `servicio` queda vieja
estado = actualizar_servicio(lab, servicio, 2)
assert estado == "completed", f"Se esperaba la actualización en estado 'completed' y llegó {estado!r}."
en_marcha = tareas_en_marcha(servicio)
versiones = sorted((t["Slot"], imagen_de(t)) for t in en_marcha)
assert versiones == [(s, lab.image("web", 2)) for s in range(1, 6)], (
    f"Se esperaba cada slot 1..5 con una tarea de course/web:2 en marcha y hay {versiones}.")
### BEGIN HIDDEN TESTS
historial = servicio.tasks()
for slot in range(1, 6):
    del_slot = [t for t in historial if t.get("Slot") == slot]
    viejas = [t for t in del_slot if imagen_de(t) == lab.image("web", 1)]
    assert viejas and all(t["DesiredState"] == "shutdown" for t in viejas), (
        f"En el historial del slot {slot} se esperaba la tarea de v1 apagada y hay "
        f"{[(imagen_de(t), t['DesiredState']) for t in del_slot]}.")
    vivas = [t for t in del_slot if t["DesiredState"] == "running"]
    assert len(vivas) == 1, f"El slot {slot} debe tener una sola tarea deseada en marcha y tiene {len(vivas)}."
servicio.reload()
anterior = servicio.attrs["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0]
assert anterior == lab.image("web", 1), f"PreviousSpec debe recordar course/web:1 y dice {anterior!r}."
llegada = servicio.attrs["Spec"].get("UpdateConfig")
assert llegada == config_antes, (
    f"La actualización no debe cambiar la UpdateConfig: era {config_antes} y ahora es {llegada}.")


class _ServicioDePrueba:
    """Un servicio de mentira (nada llega a Swarm): apunta la imagen que le piden y termina ya."""

    def __init__(self, real):
        self.id, self.name, self.attrs, self.imagenes = real.id, real.name, {"Spec": {}}, []

    def reload(self):
        pass

    def update(self, **cambios):
        self.imagenes.append(cambios.get("image"))
        self.attrs["UpdateStatus"] = {"State": "completed"}
        return True


_falso = _ServicioDePrueba(servicio)
_estado = actualizar_servicio(lab, _falso, 3)
assert _falso.imagenes == [lab.image("web", 3)], (
    f"actualizar_servicio(lab, servicio, 3) debe pedir la imagen {lab.image('web', 3)!r} con "
    f"servicio.update(image=...) y pidió {_falso.imagenes}.")
### END HIDDEN TESTS

# %% [markdown]
# La rejilla, ahora todo en v2, y una petición a cada réplica: cada una contesta con su versión.

# %%
rejilla.refresh()
for tarea in sorted(tareas_en_marcha(servicio), key=lambda t: t["Slot"]):
    contenedor = client.containers.get(tarea["Status"]["ContainerStatus"]["ContainerID"])
    respuesta = lab.http_get(contenedor)
    print(f"slot {tarea['Slot']}:", respuesta.body.strip() if respuesta.ok else respuesta.error)

# %% [markdown]
# ## 6. Reemplazar contenedores no saludables
#
# Un contenedor puede seguir **en marcha** y no servir: colgado, sin conexión a su base de datos,
# sin memoria. Para eso está el **health check**: una orden que el motor ejecuta dentro del
# contenedor cada `interval` (la imagen del curso trae `wget -qO- http://127.0.0.1/health`);
# tras `retries` fallos seguidos el contenedor pasa a `unhealthy`. El Docker de siempre solo lo
# **anota**; **Swarm** además actúa: da la tarea por fallida («unhealthy container»), para su
# contenedor y su bucle de control crea una tarea **nueva** en el mismo *slot* (con el retardo de
# `restart_policy`, 5 s por defecto; aquí 0). Es la autocuración del cuaderno 01 con un criterio
# más fino que «¿sigue vivo el proceso?». (En Kubernetes es la *liveness probe*, que reinicia el
# contenedor dentro del mismo Pod; la *readiness probe* solo lo saca del balanceo.)
#
# ```
#   slot 1:  tarea A  running (sano) ──rm /www/health──► unhealthy ──► failed
#                                                                   └─► tarea B  running (sano)
# ```
#
# Un servicio de una réplica con un health check rápido (cada medio segundo, 2 fallos):

# %%
sano = client.services.create(
    lab.image("web", 1), name=lab.name("sano"),
    labels=lab.labels(app="sano"), container_labels=lab.labels(app="sano"),
    mode=ServiceMode("replicated", replicas=1), endpoint_spec=EndpointSpec(mode="dnsrr"),
    healthcheck=Healthcheck(test=["CMD-SHELL", "wget -qO- http://127.0.0.1/health || exit 1"],
                            interval=SEGUNDO // 2, timeout=SEGUNDO, retries=2),
    restart_policy=RestartPolicy(condition="any", delay=0))
for _ in range(60):
    if tareas_en_marcha(sano):
        break
    lab.sleep(0.5)
enferma = tareas_en_marcha(sano)[0]
rejilla_sano = ClusterGrid(lab, app="sano", title="El servicio sano")
display(rejilla_sano)

# %% [markdown]
# Ahora lo **enfermamos**: borramos `/www/health` dentro de su contenedor (el proceso sigue en
# marcha y `/` sigue contestando; solo falla el health check). Antes de ejecutar: ¿qué verás en el
# historial de tareas del *slot* 1?

# %%
client.containers.get(enferma["Status"]["ContainerStatus"]["ContainerID"]).exec_run(
    ["rm", "/www/health"])
for _ in range(60):  # acotado: ~1 s de health check y lo que tarde en arrancar la nueva
    nuevas = [t for t in tareas_en_marcha(sano) if t["ID"] != enferma["ID"]]
    if nuevas:
        break
    lab.sleep(0.5)
for t in sorted(sano.tasks(), key=lambda t: t["CreatedAt"]):
    print(f"slot {t['Slot']}  {t['ID'][:10]}  deseado={t['DesiredState']:<8} "
          f"estado={t['Status']['State']:<8} {t['Status'].get('Err', '')}")
rejilla_sano.refresh()

# %% [markdown]
# ### Paso 4 — `reemplazadas_por_salud(servicio)`
#
# Devuelve la lista de IDs de las tareas del servicio (todo su historial: `servicio.tasks()`) que
# Swarm dio por fallidas **porque su contenedor dejó de estar sano**: estado `failed` y un error
# (`Status.Err`, que puede faltar) que contiene `unhealthy`. Una tarea que falla por otra razón
# (su proceso terminó con un código distinto de 0: `task: non-zero exit (1)`) o que se paró en
# una actualización (`shutdown`) no cuenta. El orden de la lista no importa.

# %% nbgrader={"grade": false, "grade_id": "reemplazadas_por_salud", "locked": false, "schema_version": 3, "solution": true, "task": false}
def reemplazadas_por_salud(servicio):
    ### BEGIN SOLUTION
    return [t["ID"] for t in servicio.tasks()
            if t["Status"]["State"] == "failed" and "unhealthy" in t["Status"].get("Err", "")]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_reemplazadas_por_salud", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_nuevas = [t for t in tareas_en_marcha(sano) if t["ID"] != enferma["ID"]]
assert _nuevas and _nuevas[0]["Slot"] == enferma["Slot"], (
    f"Swarm debía reemplazar la tarea no saludable por una nueva en el slot {enferma['Slot']} y en "
    f"marcha hay {[(t['Slot'], t['ID'][:10]) for t in tareas_en_marcha(sano)]}.")
_r = reemplazadas_por_salud(sano)
assert isinstance(_r, list) and sorted(_r) == [enferma["ID"]], (
    f"Swarm reemplazó la tarea {enferma['ID']} por no estar sana: se esperaba [{enferma['ID']!r}] "
    f"y llegó {_r!r}.")
### BEGIN HIDDEN TESTS
class _ServicioDePrueba:
    """Un servicio de mentira con un historial escrito a mano."""

    def __init__(self, tareas):
        self._tareas = tareas

    def tasks(self, filters=None):
        return list(self._tareas)


def _t(ident, estado, err=None):
    status = {"State": estado}
    if err is not None:
        status["Err"] = err
    return {"ID": ident, "Slot": 1, "DesiredState": "shutdown", "Status": status}


_historial = [_t("a", "failed", "task: non-zero exit (143): dockerexec: unhealthy container"),
              _t("b", "failed", "task: non-zero exit (1)"), _t("c", "shutdown"),
              _t("d", "rejected", "No such image: course/web:9"),
              _t("e", "failed", "task: non-zero exit (143): dockerexec: unhealthy container"),
              {**_t("f", "running"), "DesiredState": "running"}]
_r = reemplazadas_por_salud(_ServicioDePrueba(_historial))
assert sorted(_r) == ["a", "e"], (
    "Solo cuentan las tareas que fallaron por no estar sanas (Err con 'unhealthy'): en un "
    f"historial con fallos por código de salida, paradas y rechazos se esperaba ['a', 'e'] y llegó {_r!r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 7. La misma aplicación en Kubernetes
#
# En Kubernetes no hay una orden `create` con argumentos: describes el estado deseado en
# **manifiestos** YAML y se los das al API server (`kubectl apply -f web.yaml`). Nuestro servicio
# de Swarm son **dos** objetos de Kubernetes:
#
# - un **Deployment** (`apiVersion: apps/v1`): las réplicas, la plantilla del Pod (imagen,
#   puerto, sonda de salud) y la estrategia de actualización. Su `spec.selector.matchLabels`
#   dice qué Pods son suyos: **debe coincidir** con las etiquetas de `spec.template.metadata.labels`
#   (si no, el API server lo rechaza);
# - un **Service** (`apiVersion: v1`): el nombre estable y el balanceo. Su `spec.selector`
#   elige los Pods por sus etiquetas (las mismas de la plantilla) y `ports` lleva el puerto del
#   servicio (`port`) al del contenedor (`targetPort`).
#
# La `UpdateConfig` de Swarm se traduce a `strategy.rollingUpdate`: `parallelism=2` con
# `order="start-first"` es `maxSurge: 2` (hasta dos Pods de más) y `maxUnavailable: 0` (nunca
# menos de los deseados). El `HEALTHCHECK` de la imagen se traduce a una `readinessProbe`
# `httpGet` en `/health`, puerto 80.
#
# Aquí no hay un clúster de Kubernetes, pero sí su **esquema**: `kubernetes_validate.validate(doc,
# "1.37.0", strict=True)` comprueba un manifiesto contra el esquema OpenAPI de Kubernetes 1.37:
# tipos, campos obligatorios y, en modo estricto, campos mal escritos. Es **menos** de lo que
# comprueba el API server: su validación tiene reglas que el esquema no puede expresar, como que
# el selector del Deployment coincida con las etiquetas de la plantilla. Por eso la prueba de
# abajo comprueba los selectores aparte.
#
# ### Paso 5 — `manifiestos(nombre, imagen, replicas)`
#
# Devuelve una lista con dos diccionarios, `[deployment, service]`:
#
# - el Deployment `nombre`, con `replicas` réplicas, etiqueta `app: <nombre>` en el selector y
#   en la plantilla, un contenedor llamado `nombre` con la `imagen`, `containerPort: 80`, una
#   `readinessProbe` `httpGet` en `/health` puerto 80, y la estrategia `RollingUpdate` con
#   `maxSurge: 2` y `maxUnavailable: 0`;
# - el Service `nombre`, que selecciona `app: <nombre>` y lleva el puerto 80 al 80.

# %% nbgrader={"grade": false, "grade_id": "manifiestos", "locked": false, "schema_version": 3, "solution": true, "task": false}
def manifiestos(nombre, imagen, replicas):
    ### BEGIN SOLUTION
    etiquetas = {"app": nombre}
    contenedor = {
        "name": nombre,
        "image": imagen,
        "ports": [{"containerPort": 80}],
        "readinessProbe": {"httpGet": {"path": "/health", "port": 80}},
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": nombre, "labels": etiquetas},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": etiquetas},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}},
            "template": {"metadata": {"labels": etiquetas},
                         "spec": {"containers": [contenedor]}},
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": nombre},
        "spec": {"selector": etiquetas, "ports": [{"port": 80, "targetPort": 80}]},
    }
    return [deployment, service]
    ### END SOLUTION


# %% [markdown]
# Así se ve en YAML, el fichero que le darías a `kubectl apply -f`:

# %%
print(a_yaml(manifiestos("web", "course/web:2", 5)))

# %% nbgrader={"grade": true, "grade_id": "test_manifiestos", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def comprobar_manifiestos(nombre, imagen, replicas):
    docs = manifiestos(nombre, imagen, replicas)
    assert isinstance(docs, list) and len(docs) == 2, (
        f"Se esperaba una lista [deployment, service] y llegó {type(docs).__name__} de {len(docs)}.")
    deployment, service = docs
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, "1.37.0", strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(
                f"El {doc.get('kind')} no es válido para Kubernetes 1.37: {error.message}") from None
    assert deployment["kind"] == "Deployment" and service["kind"] == "Service", (
        f"Se esperaban los tipos ['Deployment', 'Service'] y llegaron {[d['kind'] for d in docs]}.")
    spec = deployment["spec"]
    plantilla = spec["template"]["metadata"].get("labels", {})
    selector = spec["selector"].get("matchLabels", {})
    assert selector and selector.items() <= plantilla.items(), (
        f"El selector del Deployment {selector} debe coincidir con las etiquetas de la plantilla {plantilla}.")
    assert spec.get("replicas") == replicas, f"Se esperaban {replicas} réplicas y llegaron {spec.get('replicas')!r}."
    contenedores = spec["template"]["spec"]["containers"]
    assert [c["image"] for c in contenedores] == [imagen], (
        f"Se esperaba un contenedor con la imagen {imagen!r} y llegaron {[c['image'] for c in contenedores]}.")
    elige = service["spec"].get("selector", {})
    assert elige and elige.items() <= plantilla.items(), (
        f"El selector del Service {elige} debe elegir las etiquetas de los Pods {plantilla}.")
    return deployment, service


_ = comprobar_manifiestos("web", "course/web:2", 5)
### BEGIN HIDDEN TESTS
deployment, service = comprobar_manifiestos("tienda-api", "registro.local/tienda/api:1.4", 3)
assert deployment["metadata"]["name"] == "tienda-api" and service["metadata"]["name"] == "tienda-api", (
    "El Deployment y el Service deben llamarse como `nombre`.")
assert deployment["spec"]["template"]["metadata"]["labels"].get("app") == "tienda-api", (
    "La plantilla debe llevar la etiqueta app: <nombre>.")
contenedor = deployment["spec"]["template"]["spec"]["containers"][0]
assert [p.get("containerPort") for p in contenedor.get("ports", [])] == [80], (
    f"Se esperaba containerPort 80 y llegó {contenedor.get('ports')}.")
sonda = contenedor.get("readinessProbe", {}).get("httpGet", {})
assert sonda.get("path") == "/health" and sonda.get("port") == 80, (
    f"Se esperaba una readinessProbe httpGet en /health, puerto 80, y llegó {contenedor.get('readinessProbe')}.")
estrategia = deployment["spec"].get("strategy", {})
assert estrategia.get("type") == "RollingUpdate" and estrategia.get("rollingUpdate") == {
    "maxSurge": 2, "maxUnavailable": 0}, (
    f"Se esperaba RollingUpdate con maxSurge 2 y maxUnavailable 0 y llegó {estrategia}.")
puertos = [(p.get("port"), p.get("targetPort")) for p in service["spec"].get("ports", [])]
assert puertos == [(80, 80)], f"El Service debe llevar el puerto 80 al 80 y lleva {puertos}."
_ = comprobar_manifiestos("web", "course/web:1", 1)
### END HIDDEN TESTS

# %% [markdown]
# Compara: en Swarm, 10 líneas de Python y el motor ya tenía el servicio en marcha. En Kubernetes,
# dos objetos y más de 30 líneas de YAML… que además describen cosas que Swarm no separa (quién
# elige los Pods, cómo se llaman los puertos, cuándo un Pod está listo). Esa es la fila
# **Complejidad** de la tabla: más piezas, pero cada una se puede cambiar, extender y automatizar
# por separado (el **Ecosistema**).
#
# ## 8. ¿Compose, Swarm o Kubernetes? Los casos de uso
#
# El módulo termina con tres perfiles:
#
# | perfil | herramienta | servicios | servidores | además |
# |---|---|---|---|---|
# | Startup pequeña | **Docker Compose** | 1-5 | 1 | tráfico moderado |
# | Empresa mediana | **Docker Swarm** | 10-50 | 3-20 | alta disponibilidad básica |
# | Empresa grande | **Kubernetes** | 100+ | decenas/cientos | multi-región, auto-scaling complejo, múltiples equipos |
#
# La tabla deja huecos (¿y 8 servicios? ¿y 2 servidores?). Para decidir sin huecos, mira de lo más
# exigente a lo más sencillo y quédate con **la primera** regla que se cumpla:
#
# 1. **Kubernetes** si hace falta algo que solo Kubernetes da bien: multi-región, auto-scaling
#    complejo, varios equipos compartiendo la plataforma (**3 o más**), o un tamaño por encima del
#    de la empresa mediana (**más de 50 servicios** o **más de 20 servidores**).
# 2. **Swarm** si ya no basta una sola máquina con Compose: **más de un servidor**, **más de 5
#    servicios**, o se pide **alta disponibilidad**.
# 3. **Compose** en otro caso.
#
# ### Paso 6 — `recomendar(servicios, servidores, multi_region=False, autoscaling_complejo=False, equipos=1, alta_disponibilidad=False)`
#
# Devuelve `"Compose"`, `"Swarm"` o `"Kubernetes"` según esas reglas.

# %% nbgrader={"grade": false, "grade_id": "recomendar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def recomendar(servicios, servidores, multi_region=False, autoscaling_complejo=False, equipos=1,
               alta_disponibilidad=False):
    ### BEGIN SOLUTION
    if (multi_region or autoscaling_complejo or equipos >= 3
            or servicios > 50 or servidores > 20):
        return "Kubernetes"
    if servidores > 1 or servicios > 5 or alta_disponibilidad:
        return "Swarm"
    return "Compose"
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_recomendar_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
for caso, esperada in [
    (dict(servicios=3, servidores=1), "Compose"),                              # startup pequeña
    (dict(servicios=30, servidores=8, alta_disponibilidad=True), "Swarm"),     # empresa mediana
    (dict(servicios=200, servidores=80, multi_region=True, autoscaling_complejo=True,
          equipos=12), "Kubernetes"),                                          # empresa grande
]:
    obtenida = recomendar(**caso)
    assert obtenida == esperada, f"Para {caso} se esperaba {esperada!r} y llegó {obtenida!r}."

# %% nbgrader={"grade": true, "grade_id": "test_recomendar_oculto", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Escenarios ocultos: los huecos y los bordes de la tabla (se corrige al entregar).
### BEGIN HIDDEN TESTS
for caso, esperada in [
    (dict(servicios=5, servidores=1), "Compose"),
    (dict(servicios=1, servidores=1), "Compose"),
    (dict(servicios=6, servidores=1), "Swarm"),
    (dict(servicios=2, servidores=2), "Swarm"),
    (dict(servicios=4, servidores=1, alta_disponibilidad=True), "Swarm"),
    (dict(servicios=50, servidores=20), "Swarm"),
    (dict(servicios=12, servidores=5, equipos=2), "Swarm"),
    (dict(servicios=51, servidores=10), "Kubernetes"),
    (dict(servicios=20, servidores=21), "Kubernetes"),
    (dict(servicios=3, servidores=1, multi_region=True), "Kubernetes"),
    (dict(servicios=8, servidores=4, autoscaling_complejo=True), "Kubernetes"),
    (dict(servicios=15, servidores=6, equipos=3), "Kubernetes"),
]:
    obtenida = recomendar(**caso)
    assert obtenida == esperada, f"Para {caso} se esperaba {esperada!r} y llegó {obtenida!r}."
### END HIDDEN TESTS

# %% [markdown]
# ## Lo que te llevas
#
# - **Swarm** es Docker con un orquestador dentro: un `swarm init`, servicios con su estado
#   deseado, `scale`, `update` con una `UpdateConfig` (¡escríbela entera!) y un historial de tareas
#   donde comprobar qué pasó.
# - **Kubernetes** describe lo mismo con más objetos (Deployment, Service, Pods) en manifiestos
#   YAML validados por el API server; más complejo, más extensible, y con auto-scaling avanzado.
# - Elegir no es cuestión de moda: tamaño, alta disponibilidad, regiones, autoescalado y equipos.
#
# La última celda limpia el laboratorio (servicio, tareas) y sale de Swarm si el Swarm es del curso
# y ya nadie lo usa.

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
fuera = client.info()["Swarm"]["LocalNodeState"] == "inactive"
print("Laboratorio limpio", "y fuera de Swarm." if fuera else "(el motor sigue en Swarm).")
