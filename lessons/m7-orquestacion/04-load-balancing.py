# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Load balancing: repartir el tráfico entre réplicas
#
# **Módulo 7 — Introducción a Orquestación**
#
# Tener tres réplicas no sirve de nada si todo el tráfico va a la primera. Un **balanceador de
# carga** se pone delante de las réplicas y reparte las peticiones. El módulo lo resume así:
#
# - **Distribuir tráfico** entre réplicas.
# - **Automático y transparente**: el cliente habla con *un* sitio y no sabe cuántas réplicas hay.
# - **Health checks**: una réplica que falla deja de recibir tráfico.
#
# En el cuaderno 03 viste la versión más simple: el DNS devuelve varias direcciones y cada
# cliente elige una. Funciona, pero el DNS no sabe qué réplica está sana ni cuánta carga tiene.
# Aquí haces de verdad el **Ejercicio 3** del módulo: una configuración de **nginx** generada a
# partir de las réplicas que descubre el laboratorio (comprobada por un `nginx -t` real), y tus
# propios balanceadores *round-robin* y de *menos conexiones* con **health checks pasivos**.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `descubrir`: las réplicas de una app y sus direcciones (R/S) | 2 |
# | 2 | `configuracion_nginx`: el bloque `upstream` y el `server` de nginx (P) | 3 |
# | 3 | `RoundRobin`: turno rotatorio con `max_fails` y `fail_timeout` (P) | 3 |
# | 4 | `MenosConexiones`: a la réplica con menos peticiones en curso (P) | 2 |
# | 5 | `repartir`: tu balanceador delante de réplicas de verdad (R/S) | 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import re
import warnings
from collections import Counter

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

from IPython.display import display

from course import Lab, nginx
from course.views import TrafficChart

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client

# %% [markdown]
# ## 1. Tres réplicas detrás de un nombre
#
# El laboratorio arranca tres réplicas de `course/web:1` en una red definida por el usuario,
# todas con la etiqueta `app=backend` y el alias de red `backend` (como en el cuaderno 03), y
# espera, con un límite, a que las tres respondan.

# %% nbgrader={"grade": false, "grade_id": "replicas", "locked": true, "schema_version": 3, "solution": false, "task": false}
red = client.networks.create(lab.name("lb-net"), driver="bridge", labels=lab.labels())
replicas = [
    client.containers.run(
        lab.image("web", 1), detach=True, name=lab.name(f"backend{i}"),
        labels=lab.labels(app="backend"), network=red.name,
        networking_config={red.name: client.api.create_endpoint_config(aliases=["backend"])},
    )
    for i in (1, 2, 3)
]
for _ in range(40):
    if all(lab.http_get(c).ok for c in replicas):
        break
    lab.sleep(0.25)
for c in replicas:
    print(c.name, "→", lab.http_get(c).body.strip())

# %% [markdown]
# ## 2. El Ejercicio 3 del módulo, y por qué no funciona tal cual
#
# El módulo propone este `nginx.conf`:
#
# ```nginx
# upstream backend {
#     server backend1:3000;
#     server backend2:3000;
#     server backend3:3000;
# }
#
# server {
#     listen 80;
#     location / {
#         proxy_pass http://backend;
#     }
# }
# ```
#
# - `upstream backend { ... }` es el **grupo de réplicas**. Sin más indicaciones nginx las recorre
#   por turnos (*round-robin*).
# - `server { listen 80; location / { proxy_pass http://backend; } }` es el sitio que escucha a
#   los clientes y pasa cada petición al grupo.
#
# Dos detalles que el módulo se salta y que `nginx -t` (comprobar la configuración sin arrancar)
# destapa enseguida:
#
# 1. Esos dos bloques van **dentro** de `http { }`. Montados como `/etc/nginx/nginx.conf`, nginx
#    los rechaza: en la imagen oficial su sitio es `/etc/nginx/conf.d/default.conf`.
# 2. nginx **resuelve los nombres del `upstream` al arrancar**. `backend1` solo existe en el DNS
#    embebido de una red de Docker (cuaderno 03): fuera de ella, nginx no arranca. Un nginx en
#    un contenedor de esa red sí podría usar los nombres, pero los resuelve **una sola vez**, al
#    arrancar (o al recargar). `resolver 127.0.0.11;` no cambia eso para los `server` de un
#    `upstream`: nginx solo vuelve a preguntar al DNS si el nombre va en una **variable** de
#    `proxy_pass` (`set $b backend; proxy_pass http://$b:3000;`) o, en versiones recientes, con
#    `server backend1:3000 resolve;` y una `zone` en el `upstream`. El nginx de este equipo no
#    está en ninguna red de Docker, así que usará las **direcciones** que descubra el laboratorio.
#
# El kit tiene un nginx real (`course.nginx`, el paquete `nginx-light` de Debian) que mete tu
# texto dentro de `http { }` y ejecuta `nginx -t`. Mira qué dice del texto del módulo:

# %% nbgrader={"grade": false, "grade_id": "nginx_t_modulo", "locked": true, "schema_version": 3, "solution": false, "task": false}
CONF_MODULO = """
upstream backend {
    server backend1:3000;
    server backend2:3000;
    server backend3:3000;
}
server {
    listen 80;
    location / {
        proxy_pass http://backend;
    }
}
"""
print(nginx.check_config(CONF_MODULO))

# %% [markdown]
# Por eso el balanceador de un orquestador **descubre** las réplicas en vez de escribirlas a
# mano: pregunta al motor qué contenedores de la app están en marcha y con qué dirección, y
# genera la configuración con eso. Cuando una réplica se reemplaza, se vuelve a generar (es lo
# que hacen Traefik o el *ingress controller* de Kubernetes, y Swarm con su propio balanceador).
#
# ## 3. Descubrir las réplicas (2 puntos)
#
# Escribe `descubrir(app)`: devuelve la lista de `(nombre, direccion)` de los contenedores
# **en marcha** de este laboratorio con la etiqueta `app=<app>`, ordenada por nombre. La
# dirección es la IP del contenedor en su red:
# `c.attrs["NetworkSettings"]["Networks"][<red>]["IPAddress"]` (las réplicas están en una sola
# red; no hace falta que sepas cuál).
#
# Pista: `client.containers.list(filters=lab.filters(app=app))` solo lista los que están en
# marcha.

# %% nbgrader={"grade": false, "grade_id": "descubrir", "locked": false, "schema_version": 3, "solution": true, "task": false}
def descubrir(app):
    ### BEGIN SOLUTION
    encontrados = []
    for c in client.containers.list(filters=lab.filters(app=app)):
        redes = c.attrs["NetworkSettings"]["Networks"]
        direccion = next(iter(redes.values()))["IPAddress"]
        encontrados.append((c.name, direccion))
    return sorted(encontrados)
    ### END SOLUTION


backends = descubrir("backend")
backends

# %% nbgrader={"grade": true, "grade_id": "test_descubrir", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _esperado(app):
    filas = []
    for c in client.containers.list(all=True, filters=lab.filters(app=app)):
        c.reload()
        if c.status == "running":
            filas.append((c.name, c.attrs["NetworkSettings"]["Networks"][red.name]["IPAddress"]))
    return sorted(filas)


_got = descubrir("backend")
assert _got == _esperado("backend"), f"Se esperaba {_esperado('backend')} y llegó {_got}."
### BEGIN HIDDEN TESTS
assert descubrir("nadie") == [], f"Sin réplicas se esperaba [] y llegó {descubrir('nadie')}."
_parada = client.containers.run(lab.image("web", 1), detach=True, name=lab.name("parada"),
                                labels=lab.labels(app="backend"), network=red.name)
_parada.stop(timeout=0)
_got = descubrir("backend")
assert _got == _esperado("backend") and len(_got) == 3, (
    f"Una réplica parada no es un backend: se esperaba {_esperado('backend')} y llegó {_got}.")
_parada.remove(force=True)
# un contenedor con app=backend que es de otro laboratorio (otra etiqueta course.lab) no es tuyo
_ajeno = client.containers.run(
    lab.image("web", 1), detach=True, name=f"otro-{lab.namespace}-ajeno", network=red.name,
    labels={**lab.labels(app="backend"), "course.lab": f"otro-{lab.namespace}"})
try:
    _got = descubrir("backend")
finally:
    _ajeno.remove(force=True)
assert all(nombre != _ajeno.name for nombre, _ in _got), (
    "descubrir solo debe ver los contenedores de este laboratorio (filtra también por "
    f"lab.filters): llegó {_got}, con {_ajeno.name}, que es de otro laboratorio.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Generar la configuración de nginx (3 puntos, Python puro)
#
# Escribe `configuracion_nginx(backends, puerto=8080, metodo="round_robin", max_fails=1,
# fail_timeout=10)`. Recibe una lista de pares `(direccion, puerto_backend)` y devuelve el texto
# que va dentro de `http { }`:
#
# ```nginx
# upstream backend {
#     least_conn;                                              # solo si metodo == "least_conn"
#     server 172.20.0.2:80 max_fails=1 fail_timeout=10s;       # una línea por backend, en orden
#     server 172.20.0.3:80 max_fails=1 fail_timeout=10s;
# }
# server {
#     listen 127.0.0.1:8080;
#     location / {
#         proxy_pass http://backend;
#     }
# }
# ```
#
# - `max_fails` y `fail_timeout` son el **health check pasivo** de nginx: si una réplica falla
#   `max_fails` veces **dentro de una ventana de `fail_timeout` segundos**, nginx deja de
#   mandarle tráfico durante **otros `fail_timeout` segundos** y después vuelve a probar con una
#   petición. `fail_timeout` hace, pues, dos papeles: la ventana en la que se cuentan los fallos
#   y el tiempo que la réplica queda apartada. "Pasivo" porque nginx no le pregunta nada: solo
#   mira cómo van las peticiones reales.
# - `listen 127.0.0.1:<puerto>`: el nginx del kit solo escucha en local (dentro de su contenedor).
# - `metodo` solo puede ser `"round_robin"` o `"least_conn"`; cualquier otro valor es un
#   `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "configuracion_nginx", "locked": false, "schema_version": 3, "solution": true, "task": false}
def configuracion_nginx(backends, puerto=8080, metodo="round_robin", max_fails=1,
                        fail_timeout=10):
    ### BEGIN SOLUTION
    if metodo not in ("round_robin", "least_conn"):
        raise ValueError(f"método desconocido: {metodo}")
    lineas = ["upstream backend {"]
    if metodo == "least_conn":
        lineas.append("    least_conn;")
    for direccion, puerto_backend in backends:
        lineas.append(f"    server {direccion}:{puerto_backend} max_fails={max_fails} "
                      f"fail_timeout={fail_timeout}s;")
    lineas += [
        "}",
        "server {",
        f"    listen 127.0.0.1:{puerto};",
        "    location / {",
        "        proxy_pass http://backend;",
        "    }",
        "}",
    ]
    return "\n".join(lineas) + "\n"
    ### END SOLUTION


texto = configuracion_nginx([(ip, 80) for _, ip in backends], puerto=nginx.free_port())
print(texto)
print(nginx.check_config(texto))

# %% nbgrader={"grade": true, "grade_id": "test_configuracion_nginx", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _servidores(conf):
    bloque = re.search(r"upstream\s+backend\s*\{(.*?)\}", conf, flags=re.DOTALL)
    cuerpo = bloque.group(1) if bloque else ""
    return re.findall(r"^\s*server\s+([^\s;]+)([^;]*);", cuerpo, flags=re.MULTILINE)


_conf = configuracion_nginx([("10.0.0.1", 80), ("10.0.0.2", 80), ("10.0.0.3", 3000)], puerto=8081)
_srv = [s for s, _ in _servidores(_conf)]
assert _srv == ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:3000"], (
    f"Se esperaban los servidores 10.0.0.1:80, 10.0.0.2:80 y 10.0.0.3:3000 en orden y llegó {_srv}.")
assert re.search(r"upstream\s+backend\s*\{", _conf), "Falta el bloque 'upstream backend {'."
assert re.search(r"proxy_pass\s+http://backend\s*;", _conf), "Falta 'proxy_pass http://backend;'."
assert re.search(r"listen\s+127\.0\.0\.1:8081\s*;", _conf), "Falta 'listen 127.0.0.1:8081;'."
### BEGIN HIDDEN TESTS
def _opciones(texto):
    return dict(o.split("=", 1) for o in texto.split())


_opts = [_opciones(o) for _, o in _servidores(_conf)]
assert all(o.get("max_fails") == "1" and o.get("fail_timeout") in ("10", "10s") for o in _opts), (
    f"Cada server debe llevar max_fails=1 fail_timeout=10s por defecto y lleva {_opts}.")
assert "least_conn" not in _conf, "Round-robin no lleva 'least_conn'."
_lc = configuracion_nginx([("10.0.0.9", 8080)], puerto=9000, metodo="least_conn", max_fails=3,
                          fail_timeout=30)
assert re.search(r"upstream\s+backend\s*\{\s*least_conn\s*;", _lc), (
    f"Con metodo='least_conn' el upstream debe empezar por 'least_conn;':\n{_lc}")
_o = _opciones(_servidores(_lc)[0][1])
assert _o.get("max_fails") == "3" and _o.get("fail_timeout") in ("30", "30s"), (
    f"Se esperaba max_fails=3 fail_timeout=30s y llegó {_o}.")
try:
    configuracion_nginx([("10.0.0.1", 80)], metodo="aleatorio")
except ValueError:
    pass
else:
    raise AssertionError("metodo='aleatorio' debería lanzar ValueError y no lanzó nada.")
if nginx.find_nginx():
    for _t in (_conf, _lc):
        _check = nginx.check_config(_t)
        assert _check.ok, f"nginx -t rechaza la configuración:\n{_check.output}"
### END HIDDEN TESTS

# %% [markdown]
# ## 5. nginx de verdad delante de las réplicas
#
# Donde las réplicas son contenedores reales, el kit arranca un nginx real con **tu**
# configuración en un contenedor de su misma red (`nginx.next_to`) y le manda 30 peticiones
# desde dentro del motor. Cada respuesta dice qué réplica la atendió (`web v1 <hostname>`; el
# *hostname* de un contenedor es el principio de su id). En el simulador, o donde no se puede
# construir la imagen de nginx, lo dice en una línea y se salta este paso: un nginx real no
# puede alcanzar réplicas simuladas.

# %% nbgrader={"grade": false, "grade_id": "nginx_real", "locked": true, "schema_version": 3, "solution": false, "task": false}
por_hostname = {c.id[:12]: c.name for c in replicas}


def quien(cuerpo):
    partes = cuerpo.split()
    return por_hostname.get(partes[-1], cuerpo) if partes else cuerpo


motivo = nginx.cannot_run_reason(lab)
if motivo:
    print(f"nginx real: se omite ({motivo}).")
else:
    puerto = nginx.free_port()
    texto = configuracion_nginx([(ip, 80) for _, ip in descubrir("backend")], puerto=puerto)
    with nginx.next_to(lab, texto, puerto, red.name) as servidor:
        cuentas = Counter({quien(k): v for k, v in servidor.count(30).items()})
        display(TrafficChart(cuentas, versions={c.name: 1 for c in replicas},
                             title="nginx real, round-robin: 30 peticiones", expected=10))
        replicas[1].stop(timeout=0)  # una réplica cae
        cuentas = Counter({quien(k): v for k, v in servidor.count(30).items()})
        display(TrafficChart(cuentas, versions={c.name: 1 for c in replicas},
                             title=f"nginx real con {replicas[1].name} parada"))
    replicas[1].start()
    for _ in range(40):
        if lab.http_get(replicas[1]).ok:
            break
        lab.sleep(0.25)

# %% [markdown]
# Fíjate en la segunda gráfica: con una réplica parada **ninguna petición falla**. Cuando nginx
# no consigue conectar con una réplica, cuenta un fallo (`max_fails`), reintenta la misma
# petición en la siguiente (`proxy_next_upstream`, activo por defecto para errores de conexión)
# y deja de mandarle tráfico durante `fail_timeout`. El cliente no se entera: eso es
# "automático y transparente".
#
# ## 6. Tu propio balanceador: round-robin con health checks pasivos (3 puntos, Python puro)
#
# Ahora construyes en Python un **modelo simplificado** del balanceador de nginx. El balanceador
# no conoce la hora del sistema:
# recibe un **reloj** (una función sin argumentos que devuelve segundos). Así las pruebas pueden
# adelantar el tiempo a voluntad (`RelojFalso`, abajo) y el mismo código funciona con
# `lab.now` en el simulador o con la hora real.
#
# Escribe la clase `RoundRobin(backends, max_fails=1, fail_timeout=10, reloj=lab.now)`:
#
# - `elegir()` devuelve el siguiente backend **disponible** en orden circular (después del último
#   que eligió) y suma 1 a sus peticiones en curso; si no hay ninguno disponible, `None`.
# - `terminar(backend, ok)` resta 1 a sus peticiones en curso y registra el resultado:
#   - si `ok`, su contador de fallos vuelve a 0;
#   - si no, suma un fallo; al llegar a `max_fails`, el backend queda **no disponible** desde ese
#     instante `t0 = reloj()` y su contador vuelve a 0.
# - Un backend apartado en `t0` sigue fuera **mientras `reloj() − t0 <= fail_timeout`** y vuelve
#   a estar disponible cuando `reloj() − t0 > fail_timeout` (estrictamente más: es la misma
#   comparación que hace nginx). Con `fail_timeout=10` y `t0 = 0`: en `t = 10` aún está fuera; en
#   `t = 10.5`, dentro.
# - `disponibles()` devuelve la lista de backends disponibles ahora, en su orden original.
# - `en_curso` es un diccionario `{backend: peticiones en curso}`.
#
# El turno es el de la **lista original**: si el último elegido fue `b` y `b` queda fuera, el
# siguiente es el primer disponible **después de `b`** en `backends` (con `a`, `b`, `c`: `c`, no
# `a`). Cuando pasa el `fail_timeout`, el backend vuelve a estar disponible: si sigue roto, el
# siguiente fallo lo volverá a apartar. Así se recupera solo cuando la réplica vuelve.
#
# **En qué se simplifica nginx.** nginx cuenta los fallos solo dentro de la ventana de
# `fail_timeout`: un fallo de hace más de `fail_timeout` segundos ya no cuenta, y un éxito
# *dentro* de la ventana **no** pone el contador a 0 (lo pone a 0 un éxito cuando la ventana ya
# ha pasado). Aquí un éxito lo reinicia siempre y los fallos no caducan. Con `max_fails=1`, el
# valor por defecto, los dos se comportan igual. Además nginx lleva la cuenta por separado en
# cada proceso *worker*.

# %% nbgrader={"grade": false, "grade_id": "reloj", "locked": true, "schema_version": 3, "solution": false, "task": false}
class RelojFalso:
    """Un reloj que solo avanza cuando se lo pides: reloj() da la hora, reloj.avanzar(s) la mueve."""

    def __init__(self, t=0.0):
        self.t = t

    def __call__(self):
        return self.t

    def avanzar(self, segundos):
        self.t += segundos


# %% nbgrader={"grade": false, "grade_id": "round_robin", "locked": false, "schema_version": 3, "solution": true, "task": false}
class RoundRobin:
    def __init__(self, backends, max_fails=1, fail_timeout=10, reloj=lab.now):
        ### BEGIN SOLUTION
        self.backends = list(backends)
        self.max_fails = max_fails
        self.fail_timeout = fail_timeout
        self.reloj = reloj
        self.en_curso = {b: 0 for b in self.backends}
        self.fallos = {b: 0 for b in self.backends}
        self.caido_desde = {b: None for b in self.backends}
        self.ultimo = -1
        ### END SOLUTION

    def disponibles(self):
        ### BEGIN SOLUTION
        ahora = self.reloj()
        return [b for b in self.backends
                if self.caido_desde[b] is None or ahora - self.caido_desde[b] > self.fail_timeout]
        ### END SOLUTION

    def elegir(self):
        ### BEGIN SOLUTION
        vivos = set(self.disponibles())
        for paso in range(1, len(self.backends) + 1):
            i = (self.ultimo + paso) % len(self.backends)
            if self.backends[i] in vivos:
                self.ultimo = i
                self.en_curso[self.backends[i]] += 1
                return self.backends[i]
        return None
        ### END SOLUTION

    def terminar(self, backend, ok):
        ### BEGIN SOLUTION
        self.en_curso[backend] -= 1
        if ok:
            self.fallos[backend] = 0
            return
        self.fallos[backend] += 1
        if self.fallos[backend] >= self.max_fails:
            self.caido_desde[backend] = self.reloj()
            self.fallos[backend] = 0
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_round_robin", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def _servir(lb, n, roto=()):
    vistos = []
    for _ in range(n):
        b = lb.elegir()
        vistos.append(b)
        if b is not None:
            lb.terminar(b, ok=b not in roto)
    return vistos


_lb = RoundRobin(["a", "b", "c"], reloj=RelojFalso())
_vistos = _servir(_lb, 30)
assert Counter(_vistos) == {"a": 10, "b": 10, "c": 10}, (
    f"30 peticiones a 3 backends sanos deberían repartirse 10/10/10 y llegó {dict(Counter(_vistos))}.")
assert _vistos[:6] == ["a", "b", "c", "a", "b", "c"], (
    f"Round-robin va por turnos: se esperaba a, b, c, a, b, c y llegó {_vistos[:6]}.")
### BEGIN HIDDEN TESTS
_reloj = RelojFalso()
_lb = RoundRobin(["a", "b", "c"], max_fails=1, fail_timeout=10, reloj=_reloj)
_vistos = _servir(_lb, 30, roto={"b"})
assert _vistos.count("b") == 1, (
    f"Con max_fails=1, 'b' roto debería recibir 1 petición y apartarse; recibió {_vistos.count('b')}.")
assert Counter(_vistos) == {"a": 15, "b": 1, "c": 14}, f"Se esperaba a=15 b=1 c=14 y llegó {dict(Counter(_vistos))}."
assert _lb.disponibles() == ["a", "c"], f"Se esperaba que solo a y c estén disponibles y llegó {_lb.disponibles()}."
_reloj.avanzar(9.9)
assert "b" not in _servir(_lb, 6), "Antes de fail_timeout (10 s) 'b' no debe recibir tráfico."
_reloj.avanzar(0.1)
assert "b" not in _lb.disponibles(), (
    "Justo en t0 + fail_timeout 'b' sigue fuera (reloj() − t0 <= fail_timeout, como en nginx); "
    f"están disponibles {_lb.disponibles()}.")
_reloj.avanzar(0.5)
assert _lb.disponibles() == ["a", "b", "c"], (
    f"Pasado fail_timeout (t0 + 10.5 s) 'b' debe volver a estar disponible y están {_lb.disponibles()}.")
_vistos = _servir(_lb, 30)
assert Counter(_vistos) == {"a": 10, "b": 10, "c": 10}, (
    f"Con 'b' recuperado se esperaba 10/10/10 y llegó {dict(Counter(_vistos))}.")
assert _lb.en_curso == {"a": 0, "b": 0, "c": 0}, f"Sin peticiones abiertas en_curso debe ser 0 y es {_lb.en_curso}."
# max_fails=2: hace falta un segundo fallo (y un éxito en medio pone el contador a 0)
_reloj = RelojFalso()
_lb = RoundRobin(["a", "b"], max_fails=2, fail_timeout=5, reloj=_reloj)
_lb.terminar(_lb.elegir(), ok=False)  # a falla una vez
assert _lb.disponibles() == ["a", "b"], f"Con max_fails=2 un fallo no aparta a nadie: {_lb.disponibles()}."
_lb.terminar(_lb.elegir(), ok=True)   # b bien
_lb.terminar(_lb.elegir(), ok=True)   # a bien: su contador vuelve a 0
_lb.terminar(_lb.elegir(), ok=True)   # b
_lb.terminar(_lb.elegir(), ok=False)  # a: primer fallo otra vez
assert "a" in _lb.disponibles(), "Un éxito en medio reinicia el contador: 'a' sigue disponible."
_lb.terminar(_lb.elegir(), ok=True)   # b
_lb.terminar(_lb.elegir(), ok=False)  # a: segundo fallo seguido
assert _lb.disponibles() == ["b"], f"Dos fallos seguidos con max_fails=2 apartan a 'a': {_lb.disponibles()}."
# el turno sigue la lista original: tras 'b' (que cae) viene 'c', no 'a'
_lb = RoundRobin(["a", "b", "c"], max_fails=1, fail_timeout=10, reloj=RelojFalso())
_vistos = _servir(_lb, 6, roto={"b"})
assert _vistos == ["a", "b", "c", "a", "c", "a"], (
    "Después de 'b' el turno es de 'c' aunque 'b' quede fuera (el orden es el de la lista "
    f"original): se esperaba a, b, c, a, c, a y llegó {_vistos}.")
_todos = RoundRobin(["x"], reloj=RelojFalso())
_todos.terminar(_todos.elegir(), ok=False)
assert _todos.elegir() is None, "Sin backends disponibles elegir() debe devolver None."
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Menos conexiones (2 puntos, Python puro)
#
# Round-robin reparte **peticiones**, no **trabajo**: si una petición tarda mucho (un informe, una
# subida de fichero), su réplica sigue recibiendo su turno aunque esté ocupada. `least_conn`
# manda cada petición a la réplica disponible con **menos peticiones en curso**; si empatan,
# decide el turno rotatorio de siempre (la primera de las empatadas después de la última elegida).
#
# Escribe `MenosConexiones`, una subclase de `RoundRobin` que solo cambia `elegir()`. Los health
# checks pasivos son los mismos: los heredas.

# %% nbgrader={"grade": false, "grade_id": "menos_conexiones", "locked": false, "schema_version": 3, "solution": true, "task": false}
class MenosConexiones(RoundRobin):
    def elegir(self):
        ### BEGIN SOLUTION
        vivos = self.disponibles()
        if not vivos:
            return None
        minimo = min(self.en_curso[b] for b in vivos)
        for paso in range(1, len(self.backends) + 1):
            i = (self.ultimo + paso) % len(self.backends)
            b = self.backends[i]
            if b in vivos and self.en_curso[b] == minimo:
                self.ultimo = i
                self.en_curso[b] += 1
                return b
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_menos_conexiones", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_lc = MenosConexiones(["a", "b", "c"], reloj=RelojFalso())
_larga = _lc.elegir()  # una petición larga que no termina
_vistos = _servir(_lc, 20)
assert _larga == "a" and "a" not in _vistos, (
    f"Con 'a' ocupada por una petición larga, las demás deberían ir a b y c; llegó {dict(Counter(_vistos))}.")
assert Counter(_vistos) == {"b": 10, "c": 10}, f"Se esperaba b=10 c=10 y llegó {dict(Counter(_vistos))}."
### BEGIN HIDDEN TESTS
_lc.terminar(_larga, ok=True)
_vistos = _servir(_lc, 30)
assert Counter(_vistos) == {"a": 10, "b": 10, "c": 10}, (
    f"Sin peticiones en curso, los empates se reparten por turnos: se esperaba 10/10/10 y llegó {dict(Counter(_vistos))}.")
_lc = MenosConexiones(["a", "b", "c"], reloj=RelojFalso())
_abiertas = [_lc.elegir() for _ in range(5)]
assert _abiertas == ["a", "b", "c", "a", "b"], f"Se esperaba a, b, c, a, b y llegó {_abiertas}."
assert _lc.elegir() == "c", "Con a=2 b=2 c=1 en curso debe elegir c."
_reloj = RelojFalso()
_lc = MenosConexiones(["a", "b", "c"], max_fails=1, fail_timeout=10, reloj=_reloj)
_vistos = _servir(_lc, 30, roto={"c"})
assert _vistos.count("c") == 1, f"'c' roto debería apartarse tras 1 fallo y recibió {_vistos.count('c')}."
_reloj.avanzar(10.5)
assert "c" in _lc.disponibles(), "Pasado fail_timeout 'c' vuelve a estar disponible."
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Tu balanceador delante de réplicas de verdad (2 puntos)
#
# Escribe `repartir(balanceador, n)`: manda `n` peticiones; para cada una, pide un backend al
# balanceador (los backends son **nombres de contenedor**), hace la petición con
# `lab.http_get(nombre)` y le dice al balanceador cómo fue (`terminar(nombre, respuesta.ok)`).
# Devuelve la lista de respuestas. Si el balanceador no tiene ningún backend disponible, esa
# petición es una respuesta fallida: `Reply(False, None, error="sin backends")`.
#
# `lab.http_get` nunca lanza excepciones: una petición fallida es una respuesta con
# `ok=False`. Así se pueden contar.

# %% nbgrader={"grade": false, "grade_id": "repartir", "locked": false, "schema_version": 3, "solution": true, "task": false}
from course.probe import Reply


def repartir(balanceador, n):
    ### BEGIN SOLUTION
    respuestas = []
    for _ in range(n):
        nombre = balanceador.elegir()
        if nombre is None:
            respuestas.append(Reply(False, None, error="sin backends"))
            continue
        respuesta = lab.http_get(nombre)
        balanceador.terminar(nombre, respuesta.ok)
        respuestas.append(respuesta)
    return respuestas
    ### END SOLUTION


# %% nbgrader={"grade": false, "grade_id": "repartir_demo", "locked": true, "schema_version": 3, "solution": false, "task": false}
nombres = [nombre for nombre, _ in descubrir("backend")]
balanceador = RoundRobin(nombres, max_fails=1, fail_timeout=10, reloj=lab.now)
respuestas = repartir(balanceador, 30)
display(TrafficChart(respuestas, title="Tu round-robin: 30 peticiones", expected=10))

# %% [markdown]
# **Antes de ejecutar la celda siguiente, predice.** Ahora cae `replicas[2]` y el mismo
# balanceador (`max_fails=1`, `fail_timeout=10`) reparte otras 30 peticiones. ¿Cuántas fallarán?
# ¿Cuántas responderá cada réplica? Escribe tus números en lugar de los `None` (no se corrigen:
# fallar una predicción no resta nada).

# %%
prediccion_caida = {"fallidas": None, **{c.name: None for c in replicas}}

# %% nbgrader={"grade": false, "grade_id": "repartir_caida", "locked": true, "schema_version": 3, "solution": false, "task": false}
replicas[2].stop(timeout=0)  # cae una réplica: tu balanceador la aparta tras un fallo
inicio_caida = lab.now()
respuestas_caida = repartir(balanceador, 30)
duracion_caida = lab.now() - inicio_caida
display(TrafficChart(respuestas_caida, title=f"Con {replicas[2].name} parada"))

# %%
observado_caida = {"fallidas": sum(1 for r in respuestas_caida if not r.ok),
                   **{c.name: sum(1 for r in respuestas_caida if r.ok and r.replica == c.name)
                      for c in replicas}}
for clave, valor in observado_caida.items():
    tuya = prediccion_caida.get(clave)
    veredicto = ("no escribiste predicción" if tuya is None
                 else "acertaste" if tuya == valor else "pasó otra cosa")
    print(f"{clave}: predijiste {tuya} y fueron {valor} ({veredicto})")
print(f"Por qué: la primera petición que le tocó a {replicas[2].name} falló; con max_fails=1 ese "
      "único fallo la aparta durante fail_timeout = 10 s, y mientras tanto las peticiones van por "
      f"turnos a las dos vivas. La ronda duró {duracion_caida:.1f} s"
      + (": pasados los 10 s el balanceador vuelve a probarla, y cada prueba es otra petición "
         "fallida." if duracion_caida > 10 else
         ", menos que fail_timeout: no volvió a probarla.")
      + " Un balanceador con health checks pasivos solo se entera de una caída cuando un usuario "
      "la sufre.")

# %% nbgrader={"grade": true, "grade_id": "test_repartir", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
class _Turno:
    """Un balanceador mínimo de prueba: por turnos y anotando qué le dicen."""

    def __init__(self, nombres):
        self.nombres, self.i, self.notas = list(nombres), -1, []

    def elegir(self):
        self.i = (self.i + 1) % len(self.nombres)
        return self.nombres[self.i]

    def terminar(self, nombre, ok):
        self.notas.append((nombre, ok))


replicas[2].reload()
if replicas[2].status == "running":  # la demo de arriba la para; aquí no dependemos de ella
    replicas[2].stop(timeout=0)
_vivas = [c.name for c in replicas[:2]]
_r = repartir(_Turno(_vivas), 30)
_cuenta = Counter(r.replica for r in _r if r.ok)
assert len(_r) == 30 and all(r.ok for r in _r), (
    f"Con 2 réplicas sanas las 30 peticiones deberían ir bien y fueron bien {sum(r.ok for r in _r)}.")
assert sorted(_cuenta.values()) == [15, 15], f"Se esperaba 15/15 y llegó {dict(_cuenta)}."
### BEGIN HIDDEN TESTS
_t = _Turno([c.name for c in replicas])
_r = repartir(_t, 6)
_esperadas = [(c.name, c is not replicas[2]) for c in replicas] * 2
assert _t.notas == _esperadas, (
    f"El balanceador debe saber cómo fue cada petición: se esperaba {_esperadas} y llegó {_t.notas}.")
assert [r.ok for r in _r] == [ok for _, ok in _esperadas], (
    f"Las respuestas deben ser las de lab.http_get: {[(r.replica, r.ok) for r in _r]}.")


class _Nadie:
    def elegir(self):
        return None

    def terminar(self, nombre, ok):
        raise AssertionError("Sin backend no hay nada que terminar.")


try:
    _r = repartir(_Nadie(), 3)
except Exception as _e:
    raise AssertionError(
        "Cuando elegir() devuelve None, repartir no debe llamar a lab.http_get ni a terminar: "
        "esa petición es Reply(False, None, error=\"sin backends\"). Se esperaba una respuesta "
        f"fallida y llegó la excepción {type(_e).__name__}: {_e}") from None
assert len(_r) == 3 and not any(r.ok for r in _r), (
    f"Sin backends disponibles cada petición es una respuesta fallida y llegó {_r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## Resumen
#
# - Un **balanceador** reparte el tráfico entre réplicas; el cliente solo ve un punto de entrada.
# - **Round-robin** reparte peticiones por turnos (30 → 10/10/10); **menos conexiones** reparte
#   trabajo, mirando cuántas peticiones tiene en curso cada réplica.
# - **Health checks pasivos** (`max_fails`, `fail_timeout`): una réplica que falla se aparta sola
#   y vuelve cuando pasa el tiempo. nginx además reintenta la petición en otra réplica.
# - El balanceador de un orquestador **descubre** las réplicas (cuaderno 03) y regenera su
#   configuración cuando cambian: nadie escribe IPs a mano.
#
# Limpiamos todo lo que creó este cuaderno:

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
