# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Secretos y almacenamiento
#
# **Módulo 7 — Introducción a Orquestación**
#
# Entre los problemas que resuelve un orquestador, el módulo cita dos que todavía no hemos tocado:
#
# - **Seguridad**: *secrets management*, network policies, RBAC, certificados TLS automáticos.
# - **Almacenamiento**: persistencia de datos, compartir volúmenes, backups automáticos.
#
# Los dos responden a lo mismo: un contenedor es **desechable** (el orquestador lo para, lo
# sustituye, lo mueve de nodo cuando quiere), pero una contraseña o los datos de una base de datos
# no lo son. En este cuaderno das a un servicio de Swarm una contraseña **sin que aparezca en
# ningún sitio visible**, la rotas, y compruebas qué datos sobreviven a la sustitución de un
# contenedor y cuáles no, y haces una copia de seguridad de un volumen.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `desplegar_con_secreto`: un secreto de Swarm y un servicio que lo usa | 2 |
# | 2 | `leer_secreto`: leerlo desde `/run/secrets` dentro de la tarea | 2 |
# | — | que el secreto no aparezca en el entorno ni en ningún `inspect` | 2 |
# | 3 | `rotar_secreto`: cambiar la contraseña con un secreto de nombre nuevo | 3 |
# | 4 | `crear_volumen`, `arrancar`, `reemplazar`: datos que sobreviven (o no) al contenedor | 2 + 1 |
# | 5 | `copia_de_seguridad`: un `tar` del volumen desde un contenedor desechable | 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import json
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import docker
from docker.types import EndpointSpec, SecretReference, ServiceMode, UpdateConfig

from course import Lab

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client
SEGUNDO = 1_000_000_000  # Swarm mide las duraciones en nanosegundos


def tareas_en_marcha(servicio):
    """Las tareas del servicio que deben estar en marcha y lo están."""
    return [t for t in servicio.tasks(filters={"desired-state": "running"})
            if t["Status"]["State"] == "running"]


def contenedor_de(tarea):
    """El contenedor (docker-py) de una tarea de Swarm."""
    return client.containers.get(tarea["Status"]["ContainerStatus"]["ContainerID"])


def escribir(contenedor, texto):
    """Escribe `texto` en /datos/nota.txt dentro del contenedor."""
    resultado = contenedor.exec_run(["sh", "-c", f"mkdir -p /datos && echo '{texto}' > /datos/nota.txt"])
    assert resultado.exit_code == 0, resultado.output.decode(errors="replace")


def leer(contenedor):
    """Lo que hay en /datos/nota.txt dentro del contenedor, o None si el fichero no existe."""
    resultado = contenedor.exec_run(["cat", "/datos/nota.txt"])
    return resultado.output.decode().strip() if resultado.exit_code == 0 else None


# %% [markdown]
# ## 1. ¿Por qué no una variable de entorno?
#
# La forma "de siempre" de pasar una contraseña a un contenedor es `-e DB_PASSWORD=...`. Funciona,
# pero la contraseña queda a la vista de cualquiera que pueda mirar:
#
# - `docker inspect` la enseña en `Config.Env`, igual que `docker service inspect`;
# - está en `/proc/<pid>/environ`, la heredan todos los procesos hijos, y acaba en volcados de
#   error y en logs que imprimen el entorno;
# - se queda en el fichero compose o en el script que la pasó, normalmente en git.
#
# Un **secreto de Swarm** (`docker secret create`) resuelve eso:
#
# - se guarda **cifrado** en el estado del clúster (el log de Raft de los managers);
# - solo llega a los nodos que ejecutan una tarea que lo necesita;
# - dentro del contenedor aparece como un **fichero en memoria** en `/run/secrets/<nombre>`, que la
#   aplicación lee (muchas imágenes aceptan `..._FILE=/run/secrets/...` para eso);
# - ningún `inspect` devuelve su contenido: ni el del secreto, ni el del servicio, ni el del
#   contenedor.
#
# Kubernetes tiene un objeto parecido (`Secret`, montado como volumen o, peor, como variable de
# entorno), pero no es lo mismo: por defecto se guarda en etcd solo **codificado en base64**, que
# no es cifrar (cualquiera con acceso a etcd o a sus copias de seguridad lo lee); cifrado solo si
# el clúster configura el *cifrado en reposo* (`EncryptionConfiguration`). Y quien puede leer
# Secrets por la API (RBAC) los lee en claro. Los secretos de este cuaderno son cosa de Swarm: hace falta un clúster, como en el cuaderno 07.
# `lab.ensure_swarm()` lo inicia si hace falta (`client.swarm.init(advertise_addr="127.0.0.1")`, con
# la etiqueta del curso) y espera a que el manager conteste; `lab.cleanup()`, en la última celda,
# sale de él si es del curso y ya nadie lo usa: tu motor queda como estaba.

# %% nbgrader={"grade": false, "grade_id": "swarm_init", "locked": true, "schema_version": 3, "solution": false, "task": false}
swarm_iniciado_aqui = lab.ensure_swarm()
print("Swarm activo:", "iniciado por este cuaderno" if swarm_iniciado_aqui else "ya lo estaba")

# %% [markdown]
# ## 2. Un servicio con un secreto
#
# Con docker-py:
#
# ```python
# secreto = client.secrets.create(name=..., data=b"...", labels=...)
# client.services.create(imagen, ...,
#     secrets=[SecretReference(secreto.id, secreto.name, filename="db_password")])
# ```
#
# `filename` es el **destino**: el nombre del fichero en `/run/secrets/` dentro del contenedor.
# Puede ser distinto del nombre del secreto, y eso es lo que permitirá rotarlo en el paso 3.
#
# ### Paso 1 — `desplegar_con_secreto(lab, nombre, valor, destino)`
#
# 1. Crea el secreto `lab.name(nombre)` con el contenido `valor` (en bytes) y las etiquetas
#    `lab.labels()`.
# 2. Crea el servicio `lab.name("api")`: imagen `lab.image("web", 1)`, 1 réplica, `dnsrr`,
#    etiquetas `lab.labels(app="api")` en el servicio y en sus contenedores, una `UpdateConfig`
#    completa (`parallelism=1`, `delay=0`, `failure_action="rollback"`, `monitor=1 s`,
#    `max_failure_ratio=0`, `order="start-first"`) y el secreto montado en `/run/secrets/<destino>`.
#    **Nada más**: ni variables de entorno con la contraseña, ni argumentos.
# 3. Espera (como mucho 60 s, con `lab.sleep(0.5)`) a que la tarea esté en marcha.
#
# Devuelve `(secreto, servicio)`.

# %% nbgrader={"grade": false, "grade_id": "desplegar_con_secreto", "locked": false, "schema_version": 3, "solution": true, "task": false}
def desplegar_con_secreto(lab, nombre, valor, destino):
    ### BEGIN SOLUTION
    etiquetas = lab.labels()
    secreto = lab.client.secrets.create(name=lab.name(nombre), data=valor.encode(), labels=etiquetas)
    servicio = lab.client.services.create(
        lab.image("web", 1), name=lab.name("api"),
        labels=lab.labels(app="api"), container_labels=lab.labels(app="api"),
        mode=ServiceMode("replicated", replicas=1),
        endpoint_spec=EndpointSpec(mode="dnsrr"),
        update_config=UpdateConfig(parallelism=1, delay=0, failure_action="rollback",
                                   monitor=SEGUNDO, max_failure_ratio=0, order="start-first"),
        secrets=[SecretReference(secreto.id, secreto.name, filename=destino)],
    )
    for _ in range(120):
        if tareas_en_marcha(servicio):
            break
        lab.sleep(0.5)  # la tarea todavía arranca
    return secreto, servicio
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_desplegar_con_secreto", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
CONTRASENA = "tortilla-de-patatas-42"
secreto, servicio = desplegar_con_secreto(lab, "db_password", CONTRASENA, "db_password")
secreto.reload()
assert secreto.name == lab.name("db_password"), (
    f"Se esperaba el secreto {lab.name('db_password')!r} y llegó {secreto.name!r}.")
servicio.reload()
referencias = servicio.attrs["Spec"]["TaskTemplate"]["ContainerSpec"].get("Secrets", [])
destinos = [(r["SecretName"], r["File"]["Name"]) for r in referencias]
assert destinos == [(secreto.name, "db_password")], (
    f"Se esperaba el servicio con el secreto {secreto.name!r} en /run/secrets/db_password "
    f"y sus secretos son {destinos}.")
en_marcha = tareas_en_marcha(servicio)
assert len(en_marcha) == 1, f"Se esperaba 1 tarea en marcha y hay {len(en_marcha)}."
### BEGIN HIDDEN TESTS
assert secreto.attrs["Spec"]["Labels"].get("course.lab") == lab.namespace, (
    f"El secreto debe llevar las etiquetas del laboratorio y lleva {secreto.attrs['Spec'].get('Labels')}.")
assert servicio.name == lab.name("api"), f"Se esperaba el servicio {lab.name('api')!r} y llegó {servicio.name!r}."
modo = servicio.attrs["Spec"].get("EndpointSpec", {}).get("Mode")
assert modo == "dnsrr", f"Se esperaba endpoint_spec en modo 'dnsrr' y llegó {modo!r}."
_uc = servicio.attrs["Spec"].get("UpdateConfig") or {}
_pedida = {"Parallelism": 1, "Delay": 0, "FailureAction": "rollback", "Monitor": SEGUNDO,
           "MaxFailureRatio": 0, "Order": "start-first"}
_distinta = {k: _uc.get(k, 0) for k, v in _pedida.items() if _uc.get(k, 0) != v}  # Swarm omite los 0
assert not _distinta, (
    f"Se esperaba la UpdateConfig completa {_pedida} y estos campos llegan distintos: {_distinta}.")
_etiquetas = servicio.attrs["Spec"]["TaskTemplate"]["ContainerSpec"].get("Labels") or {}
assert lab.labels(app="api").items() <= _etiquetas.items(), (
    f"Los contenedores del servicio deben llevar las etiquetas {lab.labels(app='api')} "
    f"(container_labels) y llevan {_etiquetas}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Leer el secreto desde dentro
#
# El único sitio donde el secreto existe en claro es dentro del contenedor de la tarea, como
# fichero. `contenedor.exec_run(["cat", ruta])` ejecuta `cat` dentro y devuelve su
# `exit_code` y su `output` (bytes).
#
# ### Paso 2 — `leer_secreto(lab, servicio, destino)`
#
# Devuelve (como `str`, sin el salto de línea final) el contenido de `/run/secrets/<destino>` en
# el contenedor de la tarea en marcha del servicio. Usa `tareas_en_marcha` y `contenedor_de`.

# %% nbgrader={"grade": false, "grade_id": "leer_secreto", "locked": false, "schema_version": 3, "solution": true, "task": false}
def leer_secreto(lab, servicio, destino):
    ### BEGIN SOLUTION
    tarea = tareas_en_marcha(servicio)[0]
    resultado = contenedor_de(tarea).exec_run(["cat", f"/run/secrets/{destino}"])
    return resultado.output.decode("utf-8").strip()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_leer_secreto", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
leido = leer_secreto(lab, servicio, "db_password")
assert leido == CONTRASENA, f"Se esperaba leer {CONTRASENA!r} en /run/secrets/db_password y llegó {leido!r}."
### BEGIN HIDDEN TESTS
try:
    _otro = leer_secreto(lab, servicio, "no_existe")
except Exception:  # un error por el fichero que falta también vale: lo que no vale es la contraseña
    _otro = None
assert _otro != CONTRASENA, (
    "leer_secreto debe leer /run/secrets/<destino>: con destino 'no_existe' devolvió la "
    "contraseña de /run/secrets/db_password.")
### END HIDDEN TESTS

# %% [markdown]
# ### ¿Dónde **no** está?
#
# La celda siguiente busca la contraseña en todo lo que docker-py puede contarte desde fuera: el
# `inspect` del secreto (`secreto.attrs`), el del servicio y el del contenedor, con su entorno.

# %% nbgrader={"grade": true, "grade_id": "test_secreto_oculto", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def donde_aparece(valor, servicio, secreto):
    """Los sitios visibles desde fuera donde aparece `valor`."""
    servicio.reload()
    secreto.reload()
    lugares = {
        "inspect del secreto": secreto.attrs,
        "inspect del servicio": servicio.attrs,
    }
    for tarea in servicio.tasks():
        estado = tarea.get("Status", {}).get("ContainerStatus", {})
        if estado.get("ContainerID"):
            try:
                contenedor = client.containers.get(estado["ContainerID"])
            except docker.errors.NotFound:
                continue
            lugares[f"inspect del contenedor {contenedor.name}"] = contenedor.attrs
            lugares[f"entorno del contenedor {contenedor.name}"] = contenedor.attrs["Config"].get("Env")
    return [lugar for lugar, datos in lugares.items() if valor in json.dumps(datos)]


visible = donde_aparece(CONTRASENA, servicio, secreto)
assert visible == [], f"Se esperaba no ver la contraseña desde fuera y aparece en: {visible}."

# %% [markdown]
# ## 4. Rotar un secreto
#
# Los secretos de Swarm son **inmutables**: no se pueden editar. Para cambiar una contraseña (porque
# caduca, o porque se filtró) se **rota**:
#
# 1. se crea un secreto **nuevo, con otro nombre** (`db_password_v2`);
# 2. se actualiza el servicio para que use el nuevo **en el mismo destino** (`/run/secrets/db_password`):
#    la aplicación no se entera del cambio de nombre. Swarm lo hace como un rolling update: con el
#    `order="start-first"` que le diste al servicio en el Paso 1, arranca una tarea nueva con
#    el secreto nuevo y después para la vieja (con el orden por defecto de Swarm, `stop-first`,
#    sería al revés: primero para la vieja, y un momento sin ninguna tarea);
# 3. cuando ningún servicio usa el viejo, se borra (antes, Swarm no te deja: está en uso).
#
# ```
# docker secret create db_password_v2 -
# docker service update --secret-rm db_password \
#                       --secret-add source=db_password_v2,target=db_password  api
# docker secret rm db_password
# ```
#
# Con docker-py, el paso 2 es `servicio.update(secrets=[SecretReference(...)])` (tras
# `servicio.reload()`): la lista que pasas **sustituye** a la anterior.
#
# ### Paso 3 — `rotar_secreto(lab, servicio, viejo, nombre_nuevo, valor_nuevo, destino)`
#
# Haz los tres pasos: crea `lab.name(nombre_nuevo)` (con `lab.labels()`), actualiza el servicio
# para que lo monte en `destino`, espera (como mucho 60 s) a que `UpdateStatus.State` sea
# `"completed"` y la tarea en marcha sea la nueva, y borra el secreto `viejo`. Devuelve el secreto
# nuevo.

# %% nbgrader={"grade": false, "grade_id": "rotar_secreto", "locked": false, "schema_version": 3, "solution": true, "task": false}
def rotar_secreto(lab, servicio, viejo, nombre_nuevo, valor_nuevo, destino):
    ### BEGIN SOLUTION
    datos, etiquetas = valor_nuevo.encode(), lab.labels()
    nuevo = lab.client.secrets.create(name=lab.name(nombre_nuevo), data=datos, labels=etiquetas)
    servicio.reload()
    servicio.update(secrets=[SecretReference(nuevo.id, nuevo.name, filename=destino)])
    for _ in range(120):
        servicio.reload()
        hecho = servicio.attrs.get("UpdateStatus", {}).get("State") == "completed"
        tareas = tareas_en_marcha(servicio)
        if hecho and len(tareas) == 1 and [
                r["SecretName"] for r in tareas[0]["Spec"]["ContainerSpec"].get("Secrets", [])
        ] == [nuevo.name]:
            break
        lab.sleep(0.5)  # la rotación sigue en marcha
    viejo.remove()
    return nuevo
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rotar_secreto", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
NUEVA = "gazpacho-andaluz-7"
nuevo = rotar_secreto(lab, servicio, secreto, "db_password_v2", NUEVA, "db_password")
assert nuevo.name == lab.name("db_password_v2") and nuevo.name != secreto.name, (
    f"Se esperaba un secreto nuevo llamado {lab.name('db_password_v2')!r} y llegó {nuevo.name!r}.")
leido = leer_secreto(lab, servicio, "db_password")
assert leido == NUEVA, f"Tras rotar se esperaba leer {NUEVA!r} en /run/secrets/db_password y llegó {leido!r}."
### BEGIN HIDDEN TESTS
try:
    client.secrets.get(secreto.id)
    borrado = False
except docker.errors.NotFound:
    borrado = True
assert borrado, f"Se esperaba borrado el secreto viejo {secreto.name!r} y sigue existiendo."
servicio.reload()
referencias = servicio.attrs["Spec"]["TaskTemplate"]["ContainerSpec"].get("Secrets", [])
destinos = [(r["SecretName"], r["File"]["Name"]) for r in referencias]
assert destinos == [(nuevo.name, "db_password")], (
    f"Se esperaba solo el secreto nuevo en /run/secrets/db_password y el servicio tiene {destinos}.")
visible = donde_aparece(NUEVA, servicio, nuevo)
assert visible == [], f"La contraseña nueva no debe verse desde fuera y aparece en: {visible}."
assert nuevo.attrs["Spec"]["Labels"].get("course.lab") == lab.namespace, (
    "El secreto nuevo debe llevar las etiquetas del laboratorio.")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Almacenamiento: ¿qué sobrevive a un contenedor?
#
# Todo lo que un contenedor escribe va a su **capa de escritura**, que se borra con él. Y un
# orquestador borra contenedores todo el rato: al actualizar, al curar una réplica, al moverla de
# nodo. Para que los datos sobrevivan hay que sacarlos del contenedor, a un **volumen**:
#
# ```
# docker volume create datos
# docker run -d --name db -v datos:/datos imagen      # el volumen montado en /datos
# docker rm -f db                                      # el contenedor se va; el volumen, no
# docker run -d --name db -v datos:/datos imagen      # otro contenedor, los mismos datos
# ```
#
# Con docker-py: `client.volumes.create(name=..., labels=...)` y, al arrancar,
# `volumes={nombre_del_volumen: {"bind": "/datos", "mode": "rw"}}`. (Ojo: `remove(v=True)` borra
# los volúmenes **anónimos** del contenedor, nunca los que tienen nombre.)
#
# En un clúster hay una pega más: un volumen local vive en **un** nodo. Si el orquestador mueve la
# réplica a otro nodo, allí no están los datos. Por eso en producción se usan drivers de volumen
# compartido (NFS, discos de la nube) o, en Kubernetes, *PersistentVolumes*: el módulo lo llama
# "compartir volúmenes", y lo verás en los Módulos 8-10.
#
# Las ayudas `escribir(contenedor, texto)` y `leer(contenedor)` escriben y leen `/datos/nota.txt`
# dentro de un contenedor (`leer` devuelve `None` si no existe).
#
# ### Paso 4 — `crear_volumen`, `arrancar`, `reemplazar`
#
# - `crear_volumen(lab, nombre)`: crea y devuelve el volumen `lab.name(nombre)` con `lab.labels()`.
# - `arrancar(lab, nombre, volumen=None)`: arranca (y devuelve) el contenedor `lab.name(nombre)`
#   de `lab.image("web", 1)` con `lab.labels(app="datos")`; si `volumen` (su nombre) no es `None`,
#   montado en `/datos`.
# - `reemplazar(lab, contenedor, nombre, volumen=None)`: lo que hace un orquestador al sustituir
#   una réplica: **elimina** el contenedor (`remove(force=True, v=True)`) y arranca otro nuevo
#   con `arrancar(lab, nombre, volumen)`. Devuelve el nuevo.

# %% nbgrader={"grade": false, "grade_id": "volumenes", "locked": false, "schema_version": 3, "solution": true, "task": false}
def crear_volumen(lab, nombre):
    ### BEGIN SOLUTION
    return lab.client.volumes.create(name=lab.name(nombre), labels=lab.labels())
    ### END SOLUTION


def arrancar(lab, nombre, volumen=None):
    ### BEGIN SOLUTION
    montajes = {volumen: {"bind": "/datos", "mode": "rw"}} if volumen else None
    return lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name(nombre),
                                     labels=lab.labels(app="datos"), volumes=montajes)
    ### END SOLUTION


def reemplazar(lab, contenedor, nombre, volumen=None):
    ### BEGIN SOLUTION
    contenedor.remove(force=True, v=True)
    return arrancar(lab, nombre, volumen)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_volumen", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
volumen = crear_volumen(lab, "datos")
db = arrancar(lab, "db", volumen.name)
escribir(db, "pedido 42")
db_nuevo = reemplazar(lab, db, "db", volumen.name)
assert db_nuevo.id != db.id, "reemplazar debe crear un contenedor nuevo, no reutilizar el viejo."
assert leer(db_nuevo) == "pedido 42", (
    f"Con el volumen, se esperaba leer 'pedido 42' en el contenedor nuevo y llegó {leer(db_nuevo)!r}.")
### BEGIN HIDDEN TESTS
try:
    client.containers.get(db.id)
    sigue = True
except docker.errors.NotFound:
    sigue = False
assert not sigue, "El contenedor viejo debe estar eliminado, no solo parado."
volumen.reload()
assert (volumen.attrs.get("Labels") or {}).get("course.lab") == lab.namespace, (
    f"El volumen debe llevar las etiquetas del laboratorio y lleva {volumen.attrs.get('Labels')}.")
montajes = [(m.get("Type"), m.get("Name"), m.get("Destination")) for m in db_nuevo.attrs["Mounts"]]
assert ("volume", volumen.name, "/datos") in montajes, (
    f"Se esperaba el volumen {volumen.name!r} montado en /datos y los montajes son {montajes}.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_sin_volumen", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
cache = arrancar(lab, "cache")
escribir(cache, "sesión de Ana")
assert leer(cache) == "sesión de Ana", f"Antes de reemplazarlo, el contenedor debe leer lo escrito; leyó {leer(cache)!r}."
cache_nuevo = reemplazar(lab, cache, "cache")
assert cache_nuevo.id != cache.id, "reemplazar debe crear un contenedor nuevo, no reutilizar el viejo."
assert leer(cache_nuevo) is None, (
    f"Sin volumen, el contenedor nuevo no debe tener /datos/nota.txt y leyó {leer(cache_nuevo)!r}.")

# %% [markdown]
# ### Compartir un volumen, y una copia de seguridad
#
# Un volumen con nombre se puede montar en **varios contenedores a la vez** (en el mismo nodo):
# uno escribe y otro lee, por ejemplo un servidor web que sirve lo que otro genera. Si el segundo
# solo debe leer, se monta en modo `"ro"` (*read-only*). (Entre nodos distintos hace falta un
# driver de volumen compartido, como decíamos arriba.)

# %%
lector = client.containers.run(lab.image("web", 1), detach=True, name=lab.name("lector"),
                               labels=lab.labels(app="datos"),
                               volumes={volumen.name: {"bind": "/datos", "mode": "ro"}})
escribir(db_nuevo, "pedido 43")
print("db escribe 'pedido 43'; el lector lee:", leer(lector))
lector.remove(force=True)

# %% [markdown]
# Un volumen sobrevive a sus contenedores, pero no a un disco roto ni a un `docker volume rm` de
# más: hay que **copiarlo**. La forma Docker de hacerlo no necesita entrar en el nodo: un
# contenedor **desechable** que monta el volumen (solo lectura) y otro volumen de copias, ejecuta
# `tar` y desaparece. Todo pasa por el motor, igual que en un nodo remoto:
#
# ```
# docker run --rm -v datos:/datos:ro -v copias:/copias imagen \
#     tar -cf /copias/datos.tar -C /datos .
# ```
#
# (`-C /datos .` guarda las rutas relativas a la raíz del volumen, `./nota.txt`, para poder
# restaurarlas en cualquier otro volumen con `tar -xf /copias/datos.tar -C /destino`.) Con
# docker-py, `client.containers.run(imagen, [orden...], volumes=..., remove=True)` espera a que
# termine, devuelve lo que escribió y borra el contenedor. La imagen del curso trae `tar` (busybox).
#
# ### Paso 5 — `copia_de_seguridad(lab, volumen, copias)`
#
# `volumen` y `copias` son **nombres** de volumen. Ejecuta un contenedor desechable de
# `lab.image("web", 1)` con `lab.labels(app="copia")` que monte `volumen` en `/datos` en modo
# `"ro"` y `copias` en `/copias`, y cree `/copias/<volumen>.tar` con
# `tar -cf /copias/<volumen>.tar -C /datos .`. Al terminar **no debe quedar** el contenedor.
# Devuelve la ruta del archivo dentro de `copias` (`"/copias/<volumen>.tar"`).

# %% nbgrader={"grade": false, "grade_id": "copia_de_seguridad", "locked": false, "schema_version": 3, "solution": true, "task": false}
def copia_de_seguridad(lab, volumen, copias):
    ### BEGIN SOLUTION
    archivo = f"/copias/{volumen}.tar"
    lab.client.containers.run(
        lab.image("web", 1), ["tar", "-cf", archivo, "-C", "/datos", "."],
        labels=lab.labels(app="copia"), remove=True,
        volumes={volumen: {"bind": "/datos", "mode": "ro"}, copias: {"bind": "/copias", "mode": "rw"}})
    return archivo
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_copia_de_seguridad", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _en_volumenes(montajes, orden):
    """Una orden en un contenedor desechable con esos volúmenes; devuelve su salida."""
    return client.containers.run(
        lab.image("web", 1), ["sh", "-c", orden], labels=lab.labels(app="prueba"), remove=True,
        volumes={v: {"bind": d, "mode": "rw"} for v, d in montajes.items()}).decode().strip()


_origen = client.volumes.create(name=lab.name("origen"), labels=lab.labels())
_copias = client.volumes.create(name=lab.name("copias"), labels=lab.labels())
_restaurado = client.volumes.create(name=lab.name("restaurado"), labels=lab.labels())
_en_volumenes({_origen.name: "/datos"},
              "mkdir -p /datos/sub && echo 'pedido 44' > /datos/nota.txt && echo si > /datos/sub/y")
_archivo = copia_de_seguridad(lab, _origen.name, _copias.name)
assert _archivo == f"/copias/{_origen.name}.tar", (
    f"copia_de_seguridad debía devolver '/copias/{_origen.name}.tar' y devolvió {_archivo!r}.")
_quedan = [c.name for c in client.containers.list(all=True, filters=lab.filters(app="copia"))]
assert not _quedan, (
    f"El contenedor de la copia debía desaparecer al terminar (remove=True) y quedan {_quedan}.")
_leido = _en_volumenes({_copias.name: "/copias", _restaurado.name: "/datos"},
                       f"tar -xf {_archivo} -C /datos && cat /datos/nota.txt /datos/sub/y")
assert _leido.split() == ["pedido", "44", "si"], (
    f"Restaurada la copia en un volumen nuevo (tar -xf {_archivo} -C /datos), se esperaba "
    f"'pedido 44' en nota.txt y 'si' en sub/y, y se leyó {_leido!r}. ¿Usaste -C /datos . ?")

# %% [markdown]
# Y el volumen sigue ahí aunque borres **todos** sus contenedores: hasta que lo borres tú
# (`volumen.remove()`), o lo haga `lab.cleanup()` en la última celda.

# %%
db_nuevo.remove(force=True, v=True)
volumen.reload()
print(f"Volumen {volumen.name}: sigue existiendo, creado {volumen.attrs.get('CreatedAt')}")

# %% [markdown]
# ## Tres protecciones más, en un párrafo cada una
#
# Los secretos protegen **un dato**. Un clúster tiene más cosas que proteger, y los orquestadores
# traen herramientas para ello que verás en los Módulos 8-10:
#
# - **Políticas de red** (`NetworkPolicy` en Kubernetes): por defecto cualquier Pod puede hablar
#   con cualquier otro. Una política dice quién puede conectarse con quién (por ejemplo, a la base
#   de datos solo la API). Protegen contra el movimiento lateral: si un atacante entra en un
#   contenedor expuesto, no llega a todo lo demás. (Necesitan un plugin de red que las aplique.)
#   En Swarm lo más parecido es separar los servicios en redes overlay distintas.
# - **RBAC** (control de acceso por roles, en Kubernetes): quién puede hacer qué en la API (leer
#   Secrets, crear Deployments, borrar nodos). Protege contra un usuario, o una aplicación con su
#   *service account*, que puede más de lo que necesita: recuerda que quien puede leer Secrets por
#   la API los lee en claro. En Swarm no hay roles: quien habla con un manager lo puede todo.
# - **TLS mutuo de Swarm**: cada nodo recibe un certificado de la CA del clúster, y managers y
#   workers se autentican y cifran entre ellos automáticamente (los certificados se renuevan
#   solos). Protege contra un nodo impostor que se une al clúster y contra quien escucha el
#   tráfico de control entre nodos. Ojo: cifra el plano de control; el tráfico de tus
#   aplicaciones por una red overlay solo va cifrado si la creas con `--opt encrypted`.
#
# ## Lo que te llevas
#
# - Una contraseña en una variable de entorno la ve cualquiera con `inspect`. Un **secreto** de
#   Swarm viaja cifrado, solo a donde hace falta, y aparece como fichero en `/run/secrets/`.
# - Los secretos son inmutables: se **rotan** con un nombre nuevo en el mismo destino, y el viejo se
#   borra cuando nadie lo usa.
# - Los contenedores son desechables; los datos no. Lo que deba sobrevivir va a un **volumen** con
#   nombre, que vive fuera del contenedor (y, en un clúster, en almacenamiento compartido).
#
# La última celda limpia el laboratorio (servicio, secretos, contenedores, volumen) y sale de Swarm
# si el Swarm es del curso y ya nadie lo usa.

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
fuera = client.info()["Swarm"]["LocalNodeState"] == "inactive"
print("Laboratorio limpio", "y fuera de Swarm." if fuera else "(el motor sigue en Swarm).")
