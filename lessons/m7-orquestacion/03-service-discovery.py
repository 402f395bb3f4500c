# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Service discovery: encontrarse por nombre
#
# **Módulo 7 — Introducción a Orquestación**
#
# En el cuaderno 00 arrancaste réplicas a mano y les hablabas por su nombre de contenedor, pero
# desde fuera, a través del motor. Entre contenedores, en la red de fábrica de Docker, ese nombre
# no sirve: para hablar con otro contenedor harían falta su **dirección IP**. Y una IP es un dato
# frágil: cuando un contenedor muere y el orquestador
# lo reemplaza (autocuración), el nuevo recibe **otra** dirección. Si el *backend* guardara la IP
# de su base de datos en un fichero de configuración, cada reemplazo lo rompería.
#
# La solución de todos los orquestadores es la misma: **service discovery**.
#
# - Los servicios se encuentran **por nombre**.
# - Un **DNS interno** del clúster traduce ese nombre a las direcciones que tenga *ahora*.
# - **Sin configuración manual**: nadie escribe IPs en ningún sitio.
#
# En este cuaderno haces de verdad el **Ejercicio 2** del módulo con docker-py, miras por dentro
# el DNS embebido de Docker y ves cómo un mismo nombre puede responder con **varias réplicas**.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `crear_red`: una red definida por el usuario (R/S) | 1 |
# | 2 | `arrancar`: `db`, `api` y un contenedor solitario, cada uno en su red (R/S) | 2 |
# | 3 | `direcciones`: leer la respuesta de `nslookup` (Python puro) | 2 |
# | 4 | `resuelve`: preguntar al DNS desde dentro de un contenedor con `exec_run` (R/S) | 2 |
# | 5 | `alcanza`: hablar HTTP con otro contenedor por su nombre (R/S) | 2 |
# | 6 | `arrancar_replicas`: varias réplicas detrás de un mismo alias (R/S) | 2 |
# | 7 | `publicar`: un puerto para los clientes de fuera de Docker (R/S) | 2 |
#
# R = docker-py contra el motor (real o simulado), P = Python puro. Todo funciona igual en los
# dos motores.

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import re
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

from course import Lab

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client
IMAGEN = lab.image("web", 1)


def esperar_a(condicion, intentos=40, pausa=0.25):
    """Repite `condicion()` con una pausa hasta que sea verdad o se acaben los intentos."""
    for _ in range(intentos):
        if condicion():
            return True
        lab.sleep(pausa)
    return False

# %% [markdown]
# ## 1. El Ejercicio 2 del módulo, en la terminal
#
# El módulo lo plantea así:
#
# ```bash
# # Crear red
# docker network create app-net
#
# # Servicio 1 (database)
# docker run -d --name db --network app-net postgres
#
# # Servicio 2 (backend)
# docker run -d --name api --network app-net -e DB_HOST=db node:18
#
# # API puede conectarse a "db" por nombre
# # DNS interno de Docker resuelve
# docker exec api ping db  # ✅ Funciona
# ```
#
# Tres ideas en cinco líneas:
#
# 1. `docker network create app-net` crea una **red definida por el usuario** (driver `bridge`).
#    No es lo mismo que la red `bridge` que Docker trae de fábrica: solo las redes definidas por
#    el usuario tienen **DNS embebido**.
# 2. `--network app-net` conecta cada contenedor a esa red; `-e DB_HOST=db` le dice a la API
#    *cómo se llama* su base de datos, no *dónde está*.
# 3. `docker exec api ping db` ejecuta un programa **dentro** de la API: el nombre `db` se
#    resuelve allí dentro, con el DNS de la red.
#
# Aquí no descargamos `postgres` ni `node` (no hay registro de imágenes en clase): las dos
# piezas serán la imagen de laboratorio `course/web`, un servidor HTTP diminuto que responde
# `web v1 <hostname>`. Trae las herramientas de busybox que usaremos desde dentro: `nslookup`
# (preguntar al DNS), `wget` (hacer una petición HTTP) y `ping`.
#
# ### De la terminal a docker-py
#
# | terminal | docker-py |
# |---|---|
# | `docker network create app-net` | `client.networks.create(nombre, driver="bridge", labels=...)` |
# | `docker run -d --name db --network app-net IMG` | `client.containers.run(IMG, detach=True, name=..., network=red.name)` |
# | `--network-alias db` | `networking_config={red.name: client.api.create_endpoint_config(aliases=["db"])}` |
# | `-e DB_HOST=db` | `environment={"DB_HOST": "db"}` |
# | `docker exec api nslookup db` | `api.exec_run(["nslookup", "db"])` → `(exit_code, output)` |
#
# Como en todo el módulo, lo que crees lleva `labels=lab.labels(...)` y un nombre
# `lab.name(...)`: así `lab.cleanup()` lo borra todo al final y no chocas con nadie.
#
# Un detalle sobre nombres: `lab.name("db")` da algo como `m7-ab12cd-db`, único en el motor. El
# nombre **corto** `db` que usa la API lo da un **alias de red**: un nombre extra que el
# contenedor tiene *solo dentro de esa red*. Dos laboratorios pueden tener cada uno su `db`
# porque cada uno tiene su propia red.

# %% [markdown]
# ## 2. Tu red (1 punto)
#
# Escribe `crear_red(nombre)`: crea una red **definida por el usuario** con driver `bridge`,
# llamada `lab.name(nombre)` y con las etiquetas del laboratorio (`lab.labels()`), y devuélvela
# (el objeto `Network` de docker-py).

# %% nbgrader={"grade": false, "grade_id": "crear_red", "locked": false, "schema_version": 3, "solution": true, "task": false}
def crear_red(nombre):
    ### BEGIN SOLUTION
    return client.networks.create(lab.name(nombre), driver="bridge", labels=lab.labels())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_crear_red", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
red = crear_red("app-net")
assert red is not None, "crear_red debe devolver la red creada y devolvió None."
red.reload()
assert red.name == lab.name("app-net"), (
    f"Se esperaba una red llamada {lab.name('app-net')!r} y se llama {red.name!r}.")
assert red.attrs["Driver"] == "bridge", (
    f"Se esperaba el driver 'bridge' y la red tiene {red.attrs['Driver']!r}.")
### BEGIN HIDDEN TESTS
etiquetas = red.attrs.get("Labels") or {}
assert all(etiquetas.get(k) == v for k, v in lab.labels().items()), (
    f"La red debe llevar las etiquetas del laboratorio {lab.labels()} y lleva {etiquetas}.")
mias = [n.name for n in client.networks.list(filters=lab.filters())]
assert red.name in mias, f"lab.filters() no encuentra la red: ve {mias}."
assert red.name not in ("bridge", "host", "none"), "Esa es una red de fábrica, no una tuya."
### END HIDDEN TESTS

# %% [markdown]
# ## 3. `db`, `api` y un contenedor solitario (2 puntos)
#
# Escribe `arrancar(nombre, red=None, alias=(), entorno=None)`: arranca en segundo plano un
# contenedor de `IMAGEN` llamado `lab.name(nombre)`, con `lab.labels(app=nombre)` y las variables
# de entorno `entorno`, y devuélvelo.
#
# - Si `red` es una red, conéctalo a ella con los alias de red `alias` (una lista de nombres).
# - Si `red` es `None`, no le indiques red: Docker lo pone en la red `bridge` de fábrica.
#
# La celda siguiente (ya escrita) lo usa para montar el Ejercicio 2: `db` (con el alias `db`) y
# `api` (con `DB_HOST=db`) en `app-net`, y un `solitario` en la red de fábrica, que nos servirá
# de contraejemplo.

# %% nbgrader={"grade": false, "grade_id": "arrancar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def arrancar(nombre, red=None, alias=(), entorno=None):
    ### BEGIN SOLUTION
    opciones = {}
    if red is not None:
        opciones["network"] = red.name
        opciones["networking_config"] = {
            red.name: client.api.create_endpoint_config(aliases=list(alias))
        }
    return client.containers.run(
        IMAGEN, detach=True, name=lab.name(nombre), labels=lab.labels(app=nombre),
        environment=entorno or {}, **opciones,
    )
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "montar_ejercicio_2", "locked": true, "schema_version": 3, "solution": false, "task": false}
db = arrancar("db", red, alias=["db"])
api = arrancar("api", red, entorno={"DB_HOST": "db"})
solitario = arrancar("solitario")
# un contenedor recién arrancado tarda un instante en servir y en poder usar el DNS de la red
esperar_a(lambda: lab.http_get(db).ok)
esperar_a(lambda: api.exec_run(["nslookup", db.name]).exit_code == 0)
for contenedor in (db, api, solitario):
    contenedor.reload()
    redes = list(contenedor.attrs["NetworkSettings"]["Networks"])
    print(f"{contenedor.name:28} {contenedor.status:8} redes: {', '.join(redes)}")

# %% nbgrader={"grade": true, "grade_id": "test_arrancar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _redes(c):
    c.reload()
    return c.attrs["NetworkSettings"]["Networks"]


for _c, _n in ((db, "db"), (api, "api"), (solitario, "solitario")):
    assert _c.name == lab.name(_n), f"Se esperaba el nombre {lab.name(_n)!r} y llegó {_c.name!r}."
    assert _c.status == "running", f"{_c.name} debería estar en marcha y está {_c.status!r}."
assert red.name in _redes(db) and red.name in _redes(api), (
    f"db y api deben estar en {red.name}; db está en {list(_redes(db))}, "
    f"api en {list(_redes(api))}.")
assert list(_redes(solitario)) == ["bridge"], (
    f"El solitario debe quedarse en la red de fábrica 'bridge' y está en {list(_redes(solitario))}.")
### BEGIN HIDDEN TESTS
_alias_db = _redes(db)[red.name].get("Aliases") or []
assert "db" in _alias_db, f"db debe tener el alias de red 'db' en {red.name}; tiene {_alias_db}."
_env = api.attrs["Config"]["Env"] or []
assert "DB_HOST=db" in _env, f"api debe llevar DB_HOST=db en su entorno; lleva {_env}."
for _c, _n in ((db, "db"), (api, "api"), (solitario, "solitario")):
    _et = _c.labels
    assert all(_et.get(k) == v for k, v in lab.labels(app=_n).items()), (
        f"{_c.name} debe llevar las etiquetas {lab.labels(app=_n)} y lleva {_et}.")
esperar_a(lambda: api.exec_run(["nslookup", "db"]).exit_code == 0, intentos=8)
_r = api.exec_run(["nslookup", "db"])
assert _r.exit_code == 0, f"Desde api, 'nslookup db' debería funcionar y dio:\n{_r.output.decode()}"
### END HIDDEN TESTS

# %% [markdown]
# Y ahora el `docker exec api ping db` del módulo, tal cual, con docker-py:

# %% nbgrader={"grade": false, "grade_id": "ping_db", "locked": true, "schema_version": 3, "solution": false, "task": false}
for contenedor in (api, solitario):
    codigo, salida = contenedor.exec_run(["ping", "-c", "1", "db"])
    primera = salida.decode().strip().splitlines()[0] if salida.strip() else ""
    print(f"{contenedor.name:28} ping db → código {codigo}: {primera}")

# %% [markdown]
# Desde la API, `db` responde; desde el solitario, el nombre ni siquiera existe.
#
# ## 4. El DNS embebido, por dentro
#
# ¿Quién responde cuando la API pregunta por `db`? Mira el fichero `/etc/resolv.conf` de cada
# contenedor: ahí dice a qué servidor DNS pregunta.

# %% nbgrader={"grade": false, "grade_id": "resolv_conf", "locked": true, "schema_version": 3, "solution": false, "task": false}
for contenedor in (api, solitario):
    salida = contenedor.exec_run(["cat", "/etc/resolv.conf"]).output.decode()
    servidores = [linea for linea in salida.splitlines() if linea.startswith("nameserver")]
    print(f"{contenedor.name:28} {', '.join(servidores)}")

# %% [markdown]
# En una red definida por el usuario, el servidor es **`127.0.0.11`**: el **DNS embebido** de
# Docker. No es otro contenedor: es el propio motor, que escucha en esa dirección *dentro* de
# cada contenedor de la red y responde con lo que sabe del estado actual: qué contenedores hay en
# la red, cómo se llaman y qué alias tienen. Si algo no es suyo (por ejemplo `pypi.org`), reenvía
# la pregunta al DNS del equipo.
#
# ```
#   contenedor api                         motor Docker
#  ┌──────────────────────────┐          ┌──────────────────────────────┐
#  │ nslookup db              │          │ DNS embebido (127.0.0.11)    │
#  │   → 127.0.0.11:53  ──────┼─────────▶│ red app-net:                 │
#  │   ← db = 172.x.0.2 ◀─────┼──────────│   db (alias)  → 172.x.0.2    │
#  └──────────────────────────┘          │   m7-…-api    → 172.x.0.3    │
#                                        └──────────────────────────────┘
# ```
#
# El solitario, en la red `bridge` de fábrica, pregunta al DNS del equipo (lo que haya en el
# `/etc/resolv.conf` de la máquina), que **no sabe nada** de tus contenedores. Por eso la red de
# fábrica no tiene service discovery. En Docker Swarm y en Kubernetes la idea es la misma, a
# escala de clúster: Swarm usa este mismo DNS embebido con el nombre del *servicio*, y
# Kubernetes tiene su propio DNS del clúster (CoreDNS) para los `Service`.
#
# Pregúntale al DNS tú mismo: esta es la respuesta cruda de `nslookup db` desde la API.

# %% nbgrader={"grade": false, "grade_id": "nslookup_crudo", "locked": true, "schema_version": 3, "solution": false, "task": false}
codigo, salida = api.exec_run(["nslookup", "db"])
print(f"código de salida: {codigo}")
print(salida.decode())

# %% [markdown]
# ## 5. Leer la respuesta del DNS (2 puntos, Python puro)
#
# La salida de `nslookup` tiene dos partes:
#
# 1. La cabecera, con el **servidor** que respondió (`Server:` y `Address: 127.0.0.11:53`).
# 2. La respuesta: una línea `Name:` y una `Address:` por cada dirección del nombre.
#
# Escribe `direcciones(salida)`: recibe el texto de `nslookup` y devuelve la **lista de
# direcciones IP de la respuesta**, en el orden en que aparecen. La dirección del servidor DNS
# no es una respuesta: no la incluyas. Si el nombre no existe (`** server can't find ...`),
# devuelve `[]`.

# %% nbgrader={"grade": false, "grade_id": "direcciones", "locked": false, "schema_version": 3, "solution": true, "task": false}
def direcciones(salida):
    ### BEGIN SOLUTION
    resultado = []
    en_respuesta = False
    for linea in salida.splitlines():
        linea = linea.strip()
        if linea.startswith("Name:"):
            en_respuesta = True
        elif linea.startswith("Address") and en_respuesta:
            resultado.append(linea.split(":", 1)[1].strip())
    return resultado
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_direcciones", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_una = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:
Name:\tdb
Address: 172.18.0.2

Non-authoritative answer:

"""
assert direcciones(_una) == ["172.18.0.2"], (
    f"Se esperaba ['172.18.0.2'] y llegó {direcciones(_una)!r}.")
_nx = """Server:\t\t10.0.0.53
Address:\t10.0.0.53:53

** server can't find db: NXDOMAIN

** server can't find db: NXDOMAIN

"""
assert direcciones(_nx) == [], f"Un nombre que no existe no tiene direcciones y llegó {direcciones(_nx)!r}."
### BEGIN HIDDEN TESTS
_varias = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:
Name:\tweb
Address: 172.26.0.4
Name:\tweb
Address: 172.26.0.3
Name:\tweb
Address: 172.26.0.5

Non-authoritative answer:

"""
_got = direcciones(_varias)
assert _got == ["172.26.0.4", "172.26.0.3", "172.26.0.5"], (
    f"Con tres réplicas se esperaban sus tres direcciones en orden y llegó {_got!r}.")
assert "127.0.0.11" not in " ".join(direcciones(_varias)), (
    "127.0.0.11 es el servidor DNS que respondió, no una dirección del nombre.")
assert direcciones("") == [], f"Sin salida no hay direcciones y llegó {direcciones('')!r}."
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Preguntar al DNS desde dentro (2 puntos)
#
# Escribe `resuelve(contenedor, nombre)`: ejecuta `nslookup <nombre>` **dentro** de `contenedor`
# (`contenedor.exec_run([...])`) y devuelve la lista de direcciones con tu `direcciones`.
# `exec_run` devuelve `(exit_code, output)` y `output` son *bytes*: `output.decode()`.
#
# Para comprobar esta función y la siguiente sin depender de tu apartado 3 (un error allí no
# debe costarte puntos dos veces), el cuaderno monta aquí su propio Ejercicio 2 de referencia,
# con docker-py a la vista:

# %% nbgrader={"grade": false, "grade_id": "referencia", "locked": true, "schema_version": 3, "solution": false, "task": false}
ref_red = client.networks.create(lab.name("ref-net"), driver="bridge", labels=lab.labels())
ref_db = client.containers.run(
    IMAGEN, detach=True, name=lab.name("ref-db"), labels=lab.labels(app="ref-db"),
    network=ref_red.name,
    networking_config={ref_red.name: client.api.create_endpoint_config(aliases=["db"])},
)
ref_api = client.containers.run(IMAGEN, detach=True, name=lab.name("ref-api"),
                                labels=lab.labels(app="ref-api"), network=ref_red.name)
ref_solo = client.containers.run(IMAGEN, detach=True, name=lab.name("ref-solo"),
                                 labels=lab.labels(app="ref-solo"))
for _c in (ref_db, ref_api, ref_solo):
    _c.reload()
esperar_a(lambda: lab.http_get(ref_db).ok)
esperar_a(lambda: ref_api.exec_run(["nslookup", "db"]).exit_code == 0)
IP_REF_DB = ref_db.attrs["NetworkSettings"]["Networks"][ref_red.name]["IPAddress"]
print(f"ref-db tiene la dirección {IP_REF_DB} en {ref_red.name}")

# %% nbgrader={"grade": false, "grade_id": "resuelve", "locked": false, "schema_version": 3, "solution": true, "task": false}
def resuelve(contenedor, nombre):
    ### BEGIN SOLUTION
    codigo, salida = contenedor.exec_run(["nslookup", nombre])
    return direcciones(salida.decode())
    ### END SOLUTION


print("api →  db:", resuelve(api, "db"))
print("solitario →  db:", resuelve(solitario, "db"))

# %% nbgrader={"grade": true, "grade_id": "test_resuelve", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _resuelve(contenedor, nombre):
    try:
        return resuelve(contenedor, nombre)
    except TypeError as e:
        raise AssertionError(
            f"resuelve({contenedor.name}, {nombre!r}) lanzó TypeError: {e}. La salida de exec_run "
            "son bytes: pásale a direcciones el texto, output.decode().") from None


def _resuelve_hasta(contenedor, nombre, esperado, intentos=40):
    """Pregunta hasta que llegue `esperado` o se acaben los intentos, y da la última respuesta:
    un motor cargado puede tardar en contestar la primera consulta de un contenedor."""
    for _ in range(intentos):
        _respuesta = _resuelve(contenedor, nombre)
        if _respuesta == esperado:
            break
        lab.sleep(0.25)
    return _respuesta


_got = _resuelve_hasta(ref_api, "db", [IP_REF_DB])
assert _got == [IP_REF_DB], (
    f"Desde la API, 'db' debería resolverse a [{IP_REF_DB!r}] y llegó {_got!r}.")
### BEGIN HIDDEN TESTS
_got = _resuelve_hasta(ref_solo, "db", [], intentos=8)
assert _got == [], (
    f"En la red de fábrica no hay DNS embebido: se esperaba [] y llegó {_got!r}.")
_got = _resuelve_hasta(ref_api, ref_db.name, [IP_REF_DB], intentos=8)
assert _got == [IP_REF_DB], (
    f"El nombre del contenedor {ref_db.name!r} también se resuelve en la red: se esperaba "
    f"[{IP_REF_DB!r}] y llegó {_got!r}.")
_ip_api = ref_api.attrs["NetworkSettings"]["Networks"][ref_red.name]["IPAddress"]
_got = _resuelve_hasta(ref_api, ref_api.name, [_ip_api], intentos=8)
assert _got == [_ip_api], (
    f"resuelve debe preguntar por el nombre que recibe: {ref_api.name!r} es [{_ip_api!r}] y "
    f"llegó {_got!r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Hablar por nombre (2 puntos)
#
# Resolver es la mitad; la otra mitad es **conectarse**. Escribe `alcanza(origen, nombre)`:
# desde dentro de `origen`, pide `http://<nombre>/` con `wget -qO- <url>` (`-q` sin mensajes,
# `-O-` el cuerpo a la salida). Si `wget` termina con código 0, devuelve el cuerpo (texto, sin
# espacios ni saltos de línea a los lados); si no, devuelve `None`.
#
# Es el `docker exec api ping db` del módulo, pero comprobando algo más útil que un `ping`: que
# la API recibe la respuesta de su base de datos.

# %% nbgrader={"grade": false, "grade_id": "alcanza", "locked": false, "schema_version": 3, "solution": true, "task": false}
def alcanza(origen, nombre):
    ### BEGIN SOLUTION
    codigo, salida = origen.exec_run(["wget", "-qO-", f"http://{nombre}/"])
    if codigo != 0:
        return None
    return salida.decode().strip()
    ### END SOLUTION


print("api →  db:", alcanza(api, "db"))
print("solitario →  db:", alcanza(solitario, "db"))

# %% nbgrader={"grade": true, "grade_id": "test_alcanza", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
esperar_a(lambda: alcanza(ref_api, "db") is not None)
_got = alcanza(ref_api, "db")
assert isinstance(_got, str) and _got.startswith("web v1 "), (
    f"Desde la API, http://db/ debería responder 'web v1 <hostname>' y llegó {_got!r}.")
### BEGIN HIDDEN TESTS
assert _got == f"web v1 {ref_db.id[:12]}", (
    f"Debería responder la db de referencia ('web v1 {ref_db.id[:12]}') y llegó {_got!r}.")
_got = alcanza(ref_solo, "db")
assert _got is None, f"Desde la red de fábrica 'db' no existe: se esperaba None y llegó {_got!r}."
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Un nombre, varias réplicas (2 puntos)
#
# Hasta ahora un nombre era un contenedor. Pero un *servicio* suele tener varias **réplicas**, y
# el DNS puede responder con **todas**: basta con que compartan un alias en la red. Es la base
# del balanceo más simple, el *DNS round-robin*, y es exactamente lo que hacen Swarm (con
# `endpoint_mode=dnsrr`, o el nombre `tasks.<servicio>`) y Kubernetes (un `Service` *headless*).
#
# Escribe `arrancar_replicas(red, alias, n)`: arranca `n` contenedores de `IMAGEN` en `red`,
# llamados `lab.name(f"{alias}-{i}")` para `i = 1..n`, con `lab.labels(app=alias)` y **todos con
# el alias de red `alias`**. Devuelve la lista de contenedores. Ojo si piensas reutilizar tu
# `arrancar`: pone `app=<nombre>` (aquí sería `app=web-1`…), y aquí todas deben llevar
# `app=<alias>` para que el laboratorio las encuentre juntas.

# %% nbgrader={"grade": false, "grade_id": "arrancar_replicas", "locked": false, "schema_version": 3, "solution": true, "task": false}
def arrancar_replicas(red, alias, n):
    ### BEGIN SOLUTION
    replicas = []
    for i in range(1, n + 1):
        extremo = client.api.create_endpoint_config(aliases=[alias])
        replicas.append(client.containers.run(
            IMAGEN, detach=True, name=lab.name(f"{alias}-{i}"), labels=lab.labels(app=alias),
            network=red.name, networking_config={red.name: extremo}))
    return replicas
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "usar_replicas", "locked": true, "schema_version": 3, "solution": false, "task": false}
web = arrancar_replicas(ref_red, "web", 3)
esperar_a(lambda: all(lab.http_get(c).ok for c in web))
ips_web = []
for _c in web:
    _c.reload()
    ips_web.append(_c.attrs["NetworkSettings"]["Networks"][ref_red.name]["IPAddress"])
print("direcciones de las réplicas:", sorted(ips_web))
print("el DNS responde a 'web':    ", sorted(resuelve(ref_api, "web")))

# %% nbgrader={"grade": true, "grade_id": "test_arrancar_replicas", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
assert len(web) == 3, f"Se esperaban 3 réplicas y llegaron {len(web)}."


def _dns_web():
    salida = ref_api.exec_run(["nslookup", "web"]).output.decode()
    respuesta = salida.split("Name:", 1)[1] if "Name:" in salida else ""
    return sorted(re.findall(r"Address:?\s+(\d+\.\d+\.\d+\.\d+)", respuesta))


esperar_a(lambda: len(_dns_web()) == 3)
_dns = _dns_web()
assert len(_dns) == 3, f"El alias 'web' debería dar 3 direcciones y da {len(_dns)}: {_dns}."
### BEGIN HIDDEN TESTS
assert _dns == sorted(ips_web), (
    f"El alias debería dar las direcciones de las réplicas {sorted(ips_web)} y da {_dns}.")
_nombres = sorted(c.name for c in web)
assert _nombres == sorted(lab.name(f"web-{i}") for i in (1, 2, 3)), (
    f"Se esperaban los nombres {[lab.name(f'web-{i}') for i in (1, 2, 3)]} y llegaron {_nombres}.")
_vistos = sorted(c.name for c in client.containers.list(filters=lab.filters(app="web")))
assert _vistos == _nombres, (
    f"Las réplicas deben llevar lab.labels(app='web'): el filtro ve {_vistos}.")
### END HIDDEN TESTS

# %% [markdown]
# ¿Quién responde cuando la API pide `http://web/` varias veces? El DNS embebido devuelve las
# direcciones **barajadas** en cada pregunta y `wget` usa la primera, así que el tráfico se
# reparte, aunque no a partes exactamente iguales: el DNS no sabe nada de carga, ni de qué
# réplica está sana. Para eso hace falta un **balanceador de carga**: el tema del cuaderno 04.

# %% nbgrader={"grade": false, "grade_id": "quien_responde", "locked": true, "schema_version": 3, "solution": false, "task": false}
from collections import Counter

respuestas = Counter(alcanza(ref_api, "web") for _ in range(12))
for cuerpo, veces in sorted(respuestas.items(), key=str):
    print(f"{veces:3} × {cuerpo}")

# %% [markdown]
# ## 9. Desde fuera de Docker: publicar un puerto (2 puntos)
#
# Los nombres y los alias solo valen **dentro** de una red de Docker. Un cliente de fuera (tu
# navegador, otra máquina) no pregunta al DNS embebido, y con Docker Desktop, Docker *rootless* o
# un motor remoto ni siquiera llega a las direcciones de los contenedores. Para él se **publica**
# un puerto: el motor escucha en un puerto **del equipo** y lleva cada conexión al puerto del
# contenedor.
#
# | terminal | docker-py | quién llega |
# |---|---|---|
# | `docker run -p 8080:80 IMG` | `ports={"80/tcp": 8080}` | cualquiera que alcance el equipo (todas sus interfaces) |
# | `docker run -p 127.0.0.1:8080:80 IMG` | `ports={"80/tcp": ("127.0.0.1", 8080)}` | solo el propio equipo |
# | `docker run -p 127.0.0.1::80 IMG` | `ports={"80/tcp": ("127.0.0.1", None)}` | solo el propio equipo, en un puerto libre que elige el motor |
#
# Publicar sin dirección abre el puerto **en todas las interfaces** del equipo: la documentación de
# Docker avisa de que así cualquiera de tu red llega al contenedor. Y dos contenedores no pueden
# publicar el mismo puerto del equipo (el segundo falla con *port is already allocated*): por eso
# un orquestador no publica cada réplica, sino la entrada (un balanceador, cuaderno 04, o la
# *routing mesh* de Swarm, cuaderno 07), y deja que el motor elija los puertos que nadie tiene que
# recordar.
#
# El puerto que eligió el motor se lee en el contenedor **ya arrancado**: `contenedor.reload()` y
# después `contenedor.ports`, que da, por puerto del contenedor, una lista como
# `[{"HostIp": "127.0.0.1", "HostPort": "49153"}]` (el puerto llega como texto).
#
# Escribe `publicar(nombre)`: arranca un contenedor de `IMAGEN` llamado `lab.name(nombre)`, con
# `lab.labels(app=nombre)`, que publique su puerto 80 **solo en `127.0.0.1`** y en un puerto que
# elija el motor, y devuelve el par `(contenedor, puerto)`, con `puerto` el número (un `int`) del
# equipo que eligió el motor.

# %% nbgrader={"grade": false, "grade_id": "publicar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def publicar(nombre):
    ### BEGIN SOLUTION
    contenedor = client.containers.run(
        IMAGEN, detach=True, name=lab.name(nombre), labels=lab.labels(app=nombre),
        ports={"80/tcp": ("127.0.0.1", None)},
    )
    contenedor.reload()
    return contenedor, int(contenedor.ports["80/tcp"][0]["HostPort"])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_publicar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_pub, _puerto = publicar("publico")
_motor = client.api.port(_pub.id, 80) or []  # lo que dice el motor del puerto 80
assert _motor, "El contenedor no publica su puerto 80: usa ports={'80/tcp': (...)}."
assert all(b["HostIp"] == "127.0.0.1" for b in _motor), (
    f"El puerto 80 debe publicarse solo en 127.0.0.1, y el motor lo publica en {_motor}.")
assert isinstance(_puerto, int) and not isinstance(_puerto, bool), (
    f"publicar debe devolver el puerto como int y devolvió {_puerto!r}.")
assert _puerto == int(_motor[0]["HostPort"]), (
    f"El motor eligió el puerto {_motor[0]['HostPort']} del equipo y publicar devolvió {_puerto} "
    "(el 80 es el del contenedor; el del equipo se lee tras reload() en .ports).")
### BEGIN HIDDEN TESTS
_otro, _puerto_otro = publicar("publico-2")
_motor_otro = client.api.port(_otro.id, 80) or []
assert _motor_otro and _puerto_otro == int(_motor_otro[0]["HostPort"]) != _puerto, (
    f"Un segundo contenedor publicado debe recibir otro puerto del motor ({_motor_otro}) y "
    f"publicar devolvió {_puerto_otro} (el primero tenía {_puerto}).")
_vistos = sorted(c.name for c in client.containers.list(filters=lab.filters(app="publico-2")))
assert _vistos == [lab.name("publico-2")], (
    f"El contenedor debe llamarse {lab.name('publico-2')} y llevar lab.labels(app='publico-2'): "
    f"el filtro ve {_vistos}.")
### END HIDDEN TESTS

# %% [markdown]
# Con el motor en este equipo (Docker en Linux, Docker Desktop), ábrelo en el navegador: es la
# dirección que imprime la celda siguiente. El navegador no sabe nada de redes de Docker ni de
# nombres de contenedor: solo del puerto publicado. En el simulador el puerto existe dentro del
# clúster simulado, y el motor, real o simulado, lo cuenta igual en `ports`.

# %% nbgrader={"grade": false, "grade_id": "abrir_publicado", "locked": true, "schema_version": 3, "solution": false, "task": false}
visible, puerto = publicar("navegador")
print("el contenedor publica:", visible.ports)
print(f"desde tu navegador: http://127.0.0.1:{puerto}/")
print("y, a través del motor, responde:", lab.http_get(visible).body.strip())

# %% [markdown]
# ## Resumen
#
# - **Service discovery**: los servicios se encuentran **por nombre**, no por IP.
# - El **DNS embebido** de Docker (`127.0.0.11`) solo existe en **redes definidas por el
#   usuario**; la red `bridge` de fábrica no resuelve nombres de contenedores.
# - Un **alias de red** es un nombre válido solo dentro de esa red; si varias réplicas lo
#   comparten, el DNS responde con **todas** sus direcciones (DNS round-robin).
# - Un orquestador mantiene ese DNS al día: cuando reemplaza una réplica, el nombre sigue
#   funcionando aunque la IP cambie.
# - Para los clientes de **fuera** de Docker se **publica** un puerto del equipo; mejor solo en
#   `127.0.0.1` y en un puerto que elija el motor, leído en `contenedor.ports` tras `reload()`.
#
# Limpiamos todo lo que creó este cuaderno:

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
