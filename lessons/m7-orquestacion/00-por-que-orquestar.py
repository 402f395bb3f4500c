# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · ¿Por qué orquestar?
#
# **Módulo 7 — Introducción a Orquestación**
#
# En este cuaderno vas a hacer, con tus propias manos, el trabajo que un orquestador hace solo:
# arrancar réplicas, darte cuenta de que una ha caído y actualizar a una versión nueva. Al
# terminar sabrás **por qué** existen Docker Swarm y Kubernetes: porque hacerlo a mano no escala,
# no se cura solo y deja a los usuarios sin servicio.
#
# Lo que practicas aquí (y lo que se corrige):
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `arrancar_replicas`: tres réplicas etiquetadas con docker-py | 3 |
# | 2 | `contar_en_marcha` y matar una réplica: nadie la reinicia | 2 |
# | 3 | `resumen_sondeo`: contar peticiones fallidas (Python puro) | 2 |
# | 4 | `actualizar_a_mano`: pasar a v2 a mano y medir la caída | 3 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import random
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import docker

from course import Lab
from course.probe import Reply
from course.views import ClusterGrid

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# La línea de arriba te dice dónde corre tu código: en un **motor Docker real** (si tu equipo
# tiene Docker) o en el **clúster simulado** del curso (en un JupyterHub sin Docker y durante la
# corrección automática). El código docker-py que escribas es el mismo en los dos.
#
# `lab` te da unas pocas ayudas que usaremos todo el módulo:
#
# | ayuda | para qué |
# |---|---|
# | `lab.client` | el cliente docker-py (`docker.DockerClient`) |
# | `lab.image("web", 2)` | la etiqueta de la imagen de laboratorio `course/web:2` |
# | `lab.name("web1")` | un nombre único para tu laboratorio (`<espacio>-web1`) |
# | `lab.labels(app="web")` | las etiquetas que marcan todo lo tuyo (y `lab.cleanup()` borra) |
# | `lab.filters(app="web")` | el `filters=` para listar solo lo tuyo con esa etiqueta |
# | `lab.http_get(c)` | una petición HTTP a un contenedor: qué réplica y qué versión respondió |
# | `lab.sleep(s)` | esperar `s` segundos (en el simulador, tiempo virtual: instantáneo) |
#
# **Requisitos previos: compruébalo tú.** El módulo da por sabidas estas cosas. Si alguna
# pregunta no la contestas sin mirar, repásala antes de seguir (entre paréntesis, dónde vuelve a
# salir en este curso):
#
# | requisito | ¿sabrías…? |
# |---|---|
# | contenedores | …explicar qué queda de un contenedor tras `docker rm` y qué diferencia hay entre imagen y contenedor? (08) |
# | redes Docker | …decir por qué dos contenedores en la red `bridge` de fábrica no se encuentran por nombre? (03) |
# | volúmenes | …montar un volumen con nombre en `/datos` con `docker run -v`? (08) |
# | docker-compose | …leer un `docker-compose.yml` con `services:`, `ports:` y `environment:`? (07) |
# | Linux y línea de comandos | …usar `cat`, `wget`, `nslookup` y leer el código de salida de un comando? (03) |
# | YAML | …escribir una lista de diccionarios anidados en YAML? (07) |
# | networking básico | …distinguir una dirección IP, un puerto y un nombre DNS? (03, 04) |

# %% [markdown]
# ## 1. ¿Qué es orquestación?
#
# **Orquestación** es la gestión automatizada de contenedores: tú declaras qué quieres
# (cuántas réplicas, qué imagen, qué red) y un programa —el **orquestador**— trabaja sin descanso
# para que eso sea verdad en un conjunto de máquinas.
#
# Compara las mismas preguntas en los dos mundos:
#
# | pregunta | sin orquestador (manual) | con orquestador (automatizado) |
# |---|---|---|
# | ¿Qué pasa si un contenedor falla? | reinicio manual | auto-reinicio |
# | ¿Cómo escalar a 10 instancias? | `docker run` ×10 | `scale replicas=10` |
# | ¿Actualizar sin *downtime*? | complejo y manual | *rolling update* automático |
# | ¿Balanceo de carga? | configurarlo aparte | incluido y automático |
#
# Dicho con un dibujo: sin orquestador **tú** eres el bucle de control.
#
# ```
#   SIN ORQUESTADOR                          CON ORQUESTADOR
#
#      tú  (miras, decides, tecleas)          tú: "quiero 3 réplicas de web:v1"
#      │                                       │  (estado deseado, una vez)
#      ├── docker run web1                     ▼
#      ├── docker run web2               ┌────────────────────┐
#      ├── docker run web3               │    orquestador     │◄──┐ observa
#      │                                 │ (bucle de control) │───┘ y corrige
#      └── ¿y a las 3 de la mañana?      └────────────────────┘
#                                           │      │      │
#                                        [web1] [web2] [web3]
# ```

# %% [markdown]
# ## 2. ¿Por qué es importante? Los problemas que resuelven los orquestadores
#
# La orquestación importa por cinco razones: **escala** (cientos o miles de contenedores),
# **alta disponibilidad** (tolerancia a fallos), **automatización** (despliegues,
# actualizaciones, *rollbacks*), **eficiencia** (uso óptimo de los recursos) y **producción**
# (es el estándar de la industria).
#
# Cada familia de problemas tiene su respuesta, y cada una tiene su cuaderno en este módulo:
#
# | familia | qué hace el orquestador por ti | dónde lo practicas |
# |---|---|---|
# | **Gestión de contenedores** | iniciar y detener automáticamente; reiniciar los fallidos; reemplazar los no saludables | 00, 01 |
# | **Escalabilidad** | escalar horizontalmente (más instancias); distribuir la carga; *auto-scaling* por métricas | 04, 06 |
# | **Networking** | *service discovery* automático; *load balancing*; DNS interno; gestión de puertos | 03, 04 |
# | **Almacenamiento** | persistencia de datos; compartir volúmenes; copias de seguridad | 08 |
# | **Actualizaciones** | *rolling updates* (cero *downtime*); *rollback* automático; *blue-green*; *canary* | 05 |
# | **Seguridad** | gestión de *secrets*; *network policies*; RBAC; certificados TLS automáticos | 08 |
#
# Para entender por qué todo eso hace falta, nada mejor que sufrir un poco. Vamos al
# **Ejercicio 1: simular orquestación manual**.

# %% [markdown]
# ## 3. Ejercicio 1: orquestación manual, con docker-py
#
# El ejercicio original del módulo se hace en la terminal:
#
# ```bash
# # Iniciar 3 réplicas manualmente
# docker run -d --name web1 -p 8081:80 nginx
# docker run -d --name web2 -p 8082:80 nginx
# docker run -d --name web3 -p 8083:80 nginx
#
# # ¿Qué pasa si web2 falla?
# docker stop web2
# # ... tienes que darte cuenta y reiniciar manualmente
# docker start web2
#
# # Actualizar a nueva versión
# docker stop web1
# docker rm web1
# docker run -d --name web1 -p 8081:80 nginx:1.25
# # ... repetir para web2, web3
# # ¿Downtime? ¡Sí!
# ```
#
# Aquí lo haremos con **docker-py**, la biblioteca oficial de Docker para Python. Cada orden
# de la terminal tiene su llamada:
#
# | terminal | docker-py |
# |---|---|
# | `docker run -d --name web1 IMAGEN` | `client.containers.run(IMAGEN, detach=True, name="web1")` |
# | `docker ps --filter label=app=web` | `client.containers.list(filters={"label": ["app=web"]})` |
# | `docker stop web2` | `contenedor.stop(timeout=1)` |
# | `docker kill web2` | `contenedor.kill()` |
# | `docker start web2` | `contenedor.start()` |
# | `docker rm web1` | `contenedor.remove()` |
# | `docker inspect web2` | `contenedor.reload()` y luego `contenedor.attrs` / `contenedor.status` |
#
# Dos diferencias con la terminal:
#
# * En lugar de `nginx` usamos la imagen del curso `course/web:<versión>`: un servidor HTTP
#   diminuto que responde `web v<versión> <hostname>`. Así sabemos **qué versión** y **qué
#   réplica** contestó.
# * No publicamos puertos (`-p 8081:80`): `lab.http_get(contenedor)` habla directamente con la
#   dirección del contenedor. Y todo lo que creas lleva `lab.labels(...)` y `lab.name(...)`
#   para que tu laboratorio no choque con otros y `lab.cleanup()` lo recoja todo.
#
# Primero, un contenedor de prueba:

# %%
prueba = client.containers.run(lab.image("web", 1), detach=True, name=lab.name("prueba"),
                               labels=lab.labels(app="prueba"))
prueba.reload()
print("estado:", prueba.status)
for _ in range(20):  # un bucle de espera SIEMPRE acotado
    respuesta = lab.http_get(prueba)
    if respuesta.ok:
        break
    lab.sleep(0.25)
print(respuesta)
print("versión que respondió:", respuesta.version)
prueba.remove(force=True)

# %% [markdown]
# ### Paso 1 · Tres réplicas a mano
#
# Escribe `arrancar_replicas(lab, n, app="web", version=1)` que arranque `n` contenedores de
# `lab.image("web", version)` en segundo plano y **devuelva la lista** de contenedores. Cada uno:
#
# * con un nombre distinto hecho con `lab.name(...)` (por ejemplo `web1`, `web2`, `web3`);
# * con las etiquetas `lab.labels(app=app)`, para poder encontrarlos después por su etiqueta.
#
# Las «réplicas» no son más que eso: varias instancias del mismo contenedor.

# %% nbgrader={"grade": false, "grade_id": "arrancar_replicas", "locked": false, "schema_version": 3, "solution": true, "task": false}
def arrancar_replicas(lab, n, app="web", version=1):
    ### BEGIN SOLUTION
    imagen = lab.image("web", version)
    replicas = []
    for i in range(1, n + 1):
        replicas.append(lab.client.containers.run(
            imagen, detach=True, name=lab.name(f"{app}{i}"), labels=lab.labels(app=app)))
    return replicas
    ### END SOLUTION


# %%
replicas = arrancar_replicas(lab, 3)
for c in replicas:
    c.reload()
    print(f"{c.name:<24} {c.status:<10} {c.image.tags}")

# %% nbgrader={"grade": true, "grade_id": "test_arrancar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _en_marcha(lab, app):
    return lab.client.containers.list(filters={**lab.filters(app=app), "status": "running"})


_vistos = _en_marcha(lab, "web")
assert isinstance(replicas, list) and len(replicas) == 3, (
    f"arrancar_replicas(lab, 3) debía devolver una lista de 3 contenedores y devolvió {replicas!r}.")
assert len(_vistos) == 3, (
    f"Se esperaban 3 contenedores en marcha con la etiqueta app=web y hay {len(_vistos)}.")
assert len({c.name for c in _vistos}) == 3, "Las 3 réplicas deben tener nombres distintos."
for _c in _vistos:
    assert _c.labels.get("app") == "web", f"{_c.name} no lleva la etiqueta app=web."
    assert _c.image.tags == [lab.image("web", 1)], (
        f"{_c.name} debía usar {lab.image('web', 1)} y usa {_c.image.tags}.")
### BEGIN HIDDEN TESTS
_otras = arrancar_replicas(lab, 2, app="oculta", version=2)
try:
    _vistas = _en_marcha(lab, "oculta")
    assert len(_otras) == 2 and len(_vistas) == 2, (
        f"arrancar_replicas(lab, 2, app='oculta', version=2) debía dejar 2 réplicas en marcha "
        f"y hay {len(_vistas)}.")
    assert len({c.name for c in _vistas}) == 2, "Las réplicas deben tener nombres distintos."
    for _c in _vistas:
        assert _c.image.tags == [lab.image("web", 2)], (
            f"Con version=2 se esperaba {lab.image('web', 2)} y {_c.name} usa {_c.image.tags}.")
        assert _c.labels.get("course.lab") == lab.namespace, (
            f"{_c.name} no lleva las etiquetas del laboratorio (lab.labels).")
    assert len(_en_marcha(lab, "web")) == 3, "arrancar otra app no debe tocar las réplicas de web."
finally:
    for _c in lab.client.containers.list(all=True, filters=lab.filters(app="oculta")):
        _c.remove(force=True)
### END HIDDEN TESTS

# %% [markdown]
# Así se ve lo que acabas de hacer, al estilo de `docker ps`:

# %%
def docker_ps(lab, app="web"):
    """Una tabla de los contenedores de una app del laboratorio, parados incluidos."""
    print(f"{'NOMBRE':<24} {'IMAGEN':<14} {'ESTADO':<10} REINICIOS")
    for c in sorted(lab.client.containers.list(all=True, filters=lab.filters(app=app)),
                    key=lambda c: c.name):
        print(f"{c.name:<24} {c.image.tags[0]:<14} {c.status:<10} {c.attrs['RestartCount']}")


docker_ps(lab)

# %% [markdown]
# ### Paso 2 · ¿Qué pasa si `web2` falla?
#
# Escribe `contar_en_marcha(lab, app="web")`, que devuelva **cuántos contenedores de esa app
# están en marcha** (`running`). Pista: `client.containers.list()` acepta
# `filters={"status": "running", ...}`, y `lab.filters(app=app)` ya trae el filtro de etiquetas.
#
# Después, en la misma celda, **mata la segunda réplica** (`replicas[1]`) con `.kill()`, como si
# se hubiera caído el proceso, y guárdala en la variable `caida`.

# %% nbgrader={"grade": false, "grade_id": "matar_una", "locked": false, "schema_version": 3, "solution": true, "task": false}
def contar_en_marcha(lab, app="web"):
    ### BEGIN SOLUTION
    filtros = {**lab.filters(app=app), "status": "running"}
    return len(lab.client.containers.list(filters=filtros))
    ### END SOLUTION


### BEGIN SOLUTION
caida = replicas[1]
caida.kill()
### END SOLUTION

# %% [markdown]
# Ahora esperamos. Un rato largo para un ordenador: cinco segundos.

# %%
antes = contar_en_marcha(lab)
lab.sleep(5)
print("en marcha antes de esperar:", antes, "· después:", contar_en_marcha(lab))
docker_ps(lab)

# %% nbgrader={"grade": true, "grade_id": "test_matar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
lab.sleep(1)
_n = contar_en_marcha(lab)
assert _n == 2, f"Tras matar una réplica y esperar se esperaban 2 en marcha y contar_en_marcha dice {_n}."
caida.reload()
assert caida.status == "exited", f"La réplica matada debía estar 'exited' y está '{caida.status}'."
assert caida.attrs["RestartCount"] == 0, "Nadie debía reiniciar la réplica matada."
### BEGIN HIDDEN TESTS
assert caida.id == replicas[1].id, (
    f"La réplica que había que matar era la segunda, replicas[1] ({replicas[1].name}), y caida es "
    f"{caida.name}.")
assert contar_en_marcha(lab, app="nadie") == 0, "Una app sin contenedores debe dar 0."
_h = [lab.client.containers.run(lab.image("web", 1), detach=True, name=lab.name(f"cuenta{i}"),
                                labels=lab.labels(app="cuenta")) for i in range(3)]
try:
    _h[0].stop(timeout=0)
    _n = contar_en_marcha(lab, app="cuenta")
    assert _n == 2, f"Con 2 contenedores en marcha y 1 parado se esperaba 2 y llegó {_n}."
    assert contar_en_marcha(lab) == 2, "contar_en_marcha(lab) no debe contar otras apps."
finally:
    for _c in _h:
        _c.remove(force=True)
### END HIDDEN TESTS

# %% [markdown]
# **Nadie la ha reiniciado.** Docker hizo exactamente lo que le pediste: arrancar tres
# contenedores. No sabe que tú *querías tres*: esa intención solo está en tu cabeza. La réplica
# caída seguirá `exited` hasta que **tú** te des cuenta (¿a las 3 de la mañana?) y la arranques:
#
# ```
#  querías:  [web1] [web2] [web3]          ← estado deseado (solo en tu cabeza)
#  hay:      [web1] [ ✗  ] [web3]          ← estado actual
#  ¿quién lo compara?  nadie.
# ```
#
# (Docker tiene `restart_policy`, que reinicia un contenedor **en la misma máquina** si su proceso
# termina solo. No ve réplicas, ni otras máquinas, ni versiones: no es un orquestador.
# En el cuaderno 01 escribirás el bucle que compara y corrige.)
#
# Así lo pinta la **rejilla del clúster** que usaremos todo el módulo: una columna por máquina
# (aquí solo este motor), una tarjeta por contenedor; el borde y el texto dicen su estado.

# %%
ClusterGrid(lab, app="web", title="Tus tres réplicas: una caída, y nadie la levanta")

# %% [markdown]
# Hagamos de orquestador humano: `docker start web2`.

# %%
caida.start()
for _ in range(20):
    if contar_en_marcha(lab) == 3:
        break
    lab.sleep(0.25)
docker_ps(lab)

# %% [markdown]
# ### Paso 3 · Medir el servicio desde fuera
#
# Para ver el *downtime* necesitamos el punto de vista del usuario: peticiones HTTP. Esta función
# (dada) hace una petición a cada nombre de una lista fija de réplicas, como un cliente que
# tuviera configuradas las direcciones `:8081`, `:8082` y `:8083` del ejercicio original:

# %%
def sondear(lab, nombres):
    """Una petición a cada réplica por su nombre; devuelve la lista de respuestas (Reply)."""
    return [lab.http_get(nombre) for nombre in nombres]


nombres = [c.name for c in replicas]
for r in sondear(lab, nombres):
    print(r)

# %% [markdown]
# Cada respuesta es un `Reply` con `ok` (¿respondió 2xx?), `status`, `body`, `replica` (quién
# respondió), `error` (por qué falló) y `version` (la versión de la imagen que respondió, o
# `None`).
#
# Escribe `resumen_sondeo(respuestas)` (Python puro, sin Docker) que devuelva un diccionario:
#
# ```python
# {"peticiones": 6,                # cuántas respuestas hay
#  "fallos": 1,                    # cuántas no son ok
#  "por_version": {1: 3, 2: 2}}    # de las ok, cuántas respondió cada versión
# ```

# %% nbgrader={"grade": false, "grade_id": "resumen_sondeo", "locked": false, "schema_version": 3, "solution": true, "task": false}
def resumen_sondeo(respuestas):
    ### BEGIN SOLUTION
    por_version = {}
    fallos = 0
    for r in respuestas:
        if r.ok:
            por_version[r.version] = por_version.get(r.version, 0) + 1
        else:
            fallos += 1
    return {"peticiones": len(respuestas), "fallos": fallos, "por_version": por_version}
    ### END SOLUTION


# %%
resumen_sondeo(sondear(lab, nombres))

# %% nbgrader={"grade": true, "grade_id": "test_resumen", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_ej = [Reply(True, 200, "web v1 a\n", "web1"), Reply(False, None, "", "web2", "no existe"),
       Reply(True, 200, "web v2 b\n", "web3"), Reply(True, 200, "web v1 c\n", "web1")]
_r = resumen_sondeo(_ej)
_esperado = {"peticiones": 4, "fallos": 1, "por_version": {1: 2, 2: 1}}
assert _r == _esperado, f"Se esperaba {_esperado} y llegó {_r}."
assert resumen_sondeo([]) == {"peticiones": 0, "fallos": 0, "por_version": {}}, (
    f"Sin respuestas se esperaba todo a cero y llegó {resumen_sondeo([])}.")
### BEGIN HIDDEN TESTS
_rng = random.Random(SEED + 700)
for _caso in range(25):
    _lista, _f, _pv = [], 0, {}
    for _i in range(_rng.randint(0, 12)):
        _tipo = _rng.choice(["ok1", "ok2", "ok3", "caida", "500"])
        if _tipo.startswith("ok"):
            _v = int(_tipo[2])
            _lista.append(Reply(True, 200, f"web v{_v} h{_i}\n", f"r{_i}"))
            _pv[_v] = _pv.get(_v, 0) + 1
        elif _tipo == "500":
            _lista.append(Reply(False, 500, "web v1 roto\n", f"r{_i}"))
            _f += 1
        else:
            _lista.append(Reply(False, None, "", f"r{_i}", "conexión rechazada"))
            _f += 1
    _esperado = {"peticiones": len(_lista), "fallos": _f, "por_version": _pv}
    _r = resumen_sondeo(_lista)
    assert _r == _esperado, f"Caso {_caso}: se esperaba {_esperado} y llegó {_r}."
### END HIDDEN TESTS

# %% [markdown]
# ### Paso 4 · Actualizar a v2 a mano, y medir la caída
#
# Ahora la actualización del ejercicio original: para cada réplica, **parar, borrar y volver a
# crear** con la imagen nueva y **el mismo nombre** (los clientes la conocen por su nombre).
#
# Escribe `actualizar_a_mano(lab, replicas, version)` que:
#
# 1. para cada contenedor de `replicas`, uno tras otro: lo pare (`stop(timeout=1)`), lo borre
#    y arranque uno nuevo de `lab.image("web", version)` con el mismo nombre y las etiquetas
#    `lab.labels(app="web")`;
# 2. **después de cada paso** (tras borrar y tras arrancar) llame a
#    `sondear(lab, [nombres de todas las réplicas])` y acumule todas las respuestas;
# 3. devuelva `(nuevas, respuestas)`: la lista de contenedores nuevos y la de respuestas.
#
# (`stop` manda SIGTERM y, si el proceso no ha terminado en `timeout` segundos, SIGKILL. La
# imagen del curso termina en cuanto recibe SIGTERM, como nginx; con un servidor que la ignorase,
# Docker esperaría los 10 s por defecto antes de matarlo: `timeout=1` acota esa espera.)

# %% nbgrader={"grade": false, "grade_id": "actualizar_a_mano", "locked": false, "schema_version": 3, "solution": true, "task": false}
def actualizar_a_mano(lab, replicas, version):
    ### BEGIN SOLUTION
    nombres = [c.name for c in replicas]
    nuevas, respuestas = [], []
    for viejo in replicas:
        nombre = viejo.name
        viejo.stop(timeout=1)
        viejo.remove()
        respuestas += sondear(lab, nombres)
        nuevo = lab.client.containers.run(lab.image("web", version), detach=True, name=nombre,
                                          labels=lab.labels(app="web"))
        respuestas += sondear(lab, nombres)
        nuevas.append(nuevo)
    return nuevas, respuestas
    ### END SOLUTION


# %% [markdown]
# **Antes de ejecutar la celda siguiente, predice.** Tres réplicas, y tras cada borrado y cada
# arranque se sondean los tres nombres: 3 × 2 × 3 = 18 peticiones. ¿Cuántas fallarán? Escribe tu
# número en lugar del `None` (no se corrige: fallar una predicción no resta nada).

# %%
prediccion_fallidas = None

# %%
nuevas, respuestas = actualizar_a_mano(lab, replicas, 2)
resumen = resumen_sondeo(respuestas)
print(resumen)
for r in respuestas:
    print("✔" if r.ok else "✘", r.replica, r.version if r.ok else r.error)

# %%
fallidas = sum(1 for r in respuestas if not r.ok)
if prediccion_fallidas is None:
    print(f"No escribiste predicción; fallaron {fallidas} de {len(respuestas)}.")
else:
    print(f"Predijiste {prediccion_fallidas} y fallaron {fallidas} de {len(respuestas)} "
          f"({'acertaste' if prediccion_fallidas == fallidas else 'pasó otra cosa'}).")
print("Por qué: justo después de borrar cada réplica su nombre no existe, así que al menos 3 "
      "fallan seguro (una por réplica). Las demás que fallen son réplicas recién arrancadas cuyo "
      "servidor aún no escucha: un contenedor en marcha no es lo mismo que un servicio listo.")

# %% nbgrader={"grade": true, "grade_id": "test_actualizar", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
assert isinstance(respuestas, list) and all(isinstance(r, Reply) for r in respuestas), (
    "actualizar_a_mano debe devolver (nuevas, respuestas): primero la lista de contenedores "
    "nuevos y después la de respuestas de sondear; la segunda llegó como "
    f"{type(respuestas).__name__} con {[type(r).__name__ for r in respuestas][:3]}...")
_fallos = sum(1 for r in respuestas if not r.ok)
assert _fallos > 0, (
    "Durante la actualización a mano se esperaba medir alguna petición fallida y se midieron "
    f"{_fallos} de {len(respuestas)}: ¿sondeas tras borrar cada réplica?")
assert len(nuevas) == 3, f"Se esperaban 3 contenedores nuevos y llegaron {len(nuevas)}."
for _ in range(40):  # los servidores nuevos tardan un momento en contestar
    _fin = [lab.http_get(n) for n in nombres]
    if all(r.ok for r in _fin):
        break
    lab.sleep(0.25)
_versiones = sorted(r.version for r in _fin)
assert _versiones == [2, 2, 2], (
    f"Al final las 3 réplicas ({nombres}) debían responder v2 y responden {_versiones}.")
### BEGIN HIDDEN TESTS
_vistos = lab.client.containers.list(all=True, filters=lab.filters(app="web"))
assert sorted(c.name for c in _vistos) == sorted(nombres), (
    f"Debían quedar exactamente las réplicas {sorted(nombres)} (con las etiquetas "
    f"lab.labels(app='web'), que es como el laboratorio las encuentra) y quedan "
    f"{sorted(c.name for c in _vistos)}.")
assert all(c.status == "running" for c in _vistos), "Todas las réplicas nuevas deben estar en marcha."
assert any(r.ok and r.version == 1 for r in respuestas), (
    "Las respuestas debían incluir la v1 (las réplicas aún no actualizadas siguen sirviendo).")
# Otra versión, con una sola réplica: la función debe usar su argumento `version`.
_una = next(c for c in _vistos if c.name == nombres[0])
_otra, _ = actualizar_a_mano(lab, [_una], 1)
assert len(_otra) == 1 and lab.image("web", 1) in _otra[0].image.tags, (
    "actualizar_a_mano(lab, [una réplica], 1) debía recrearla con la imagen "
    f"{lab.image('web', 1)} y usó {[c.image.tags for c in _otra]}: ¿usas el argumento version?")
### END HIDDEN TESTS

# %% [markdown]
# Mira el resumen: **hubo peticiones fallidas**. Mientras una réplica estaba borrada y la nueva
# aún no existía, quien le hablaba por su nombre no recibía nada. Y durante un rato convivieron
# dos versiones sirviendo a la vez, sin que nadie lo controlara.
#
# ## 4. Lo que has aprendido
#
# | lo que has hecho a mano | lo que un orquestador hace por ti | cuaderno |
# |---|---|---|
# | `docker run` ×3 con nombres y etiquetas | `replicas: 3` en una definición de **servicio** | 01, 07 |
# | notar que `web2` cayó y arrancarla | **autocuración** (*self-healing*): un bucle que compara estado deseado y actual | 01 |
# | parar, borrar, arrancar, réplica a réplica | **rolling update** con *health checks*: cero peticiones fallidas | 05 |
# | llamar a cada réplica por su nombre | **service discovery** y **load balancing** | 03, 04 |
#
# Conceptos clave:
#
# * 🔑 **Orquestación**: gestión automatizada de contenedores.
# * 🔑 **Réplicas**: múltiples instancias del mismo contenedor, para alta disponibilidad.
# * Sin orquestador, **el estado deseado solo existe en tu cabeza**, y nadie lo vigila.
#
# En el próximo cuaderno lo escribimos: estado deseado, estado actual y el bucle que los iguala.

# %% nbgrader={"grade": false, "grade_id": "cleanup", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
