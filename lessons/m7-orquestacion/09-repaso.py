# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Repaso: ¿estás listo para Swarm y Kubernetes?
#
# **Módulo 7 — Introducción a Orquestación**
#
# Has hecho a mano el trabajo de un orquestador (00), has escrito su bucle de control (01), su
# scheduler (02), has visto el DNS interno (03), el balanceo (04), las actualizaciones sin caída
# (05), el autoescalado (06), un servicio real de Swarm y su equivalente en Kubernetes (07), los
# secretos y los volúmenes (08). Este cuaderno repasa los **conceptos clave** del módulo y lo que
# **necesitas saber antes de continuar** al Módulo 8, con un cuestionario.
#
# | parte | qué contestas | puntos |
# |---|---|---|
# | 1 | relacionar cada concepto clave con su definición | 2 + 2 |
# | 2 | diez preguntas de opción múltiple | 10 × 1 |
# | — | que la respuesta esté completa y bien escrita | 1 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import hashlib
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

from IPython.display import display

from course.views.quiz import Quiz

SAL = "m7-orquestacion/09-repaso"


def huella(pregunta, respuesta):
    """La huella de una respuesta: SHA-256 de la sal, la pregunta y la respuesta normalizada.

    La corrección compara huellas, nunca respuestas: la clave no está escrita en ningún cuaderno.
    """
    texto = f"{SAL}|{pregunta}|{str(respuesta).strip().lower()}"
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()[:24]


# %% [markdown]
# ## Cómo funciona este cuestionario
#
# 1. Contesta con los botones y desplegables: cada clic se apunta en el diccionario `borrador`, y
#    debajo del cuestionario aparece la línea `respuestas = {...}` con todo lo que has elegido.
# 2. **Copia esa línea** en la celda de respuestas (o escríbela a mano). Lo que se corrige es lo que
#    está escrito en esa celda: al corregir, nadie hace clic.
# 3. La celda de comprobación te dice si el formato está bien (todas contestadas, letras válidas),
#    **no** si aciertas. La corrección compara una *huella* (un hash SHA-256 con sal) de cada
#    respuesta con la huella de la correcta; ni este cuaderno ni el corregido contienen la clave.
#
# No hace falta ningún contenedor: este cuaderno es Python puro.
#
# ## 1. Conceptos clave para recordar
#
# Los siete conceptos clave del módulo. Relaciona cada uno con su definición (una letra por
# concepto; cada letra se usa una vez). Las definiciones no son las frases del módulo: piensa en
# lo que hiciste en cada cuaderno.

# %% nbgrader={"grade": false, "grade_id": "preguntas", "locked": true, "schema_version": 3, "solution": false, "task": false}
RELACIONAR = {
    "key": "relacionar",
    "text": "Relaciona cada concepto con su definición.",
    "items": {
        "orquestacion": "Orquestación",
        "cluster": "Cluster",
        "service": "Service",
        "replicas": "Réplicas",
        "self_healing": "Self-Healing",
        "rolling_update": "Rolling Update",
        "estado_deseado": "Estado Deseado",
    },
    "options": {
        "A": "El orquestador trabaja sin parar para que lo que hay coincida con lo que configuraste.",
        "B": "Varias instancias del mismo contenedor, repartidas entre nodos, para alta disponibilidad.",
        "C": "Sustituir las réplicas por la versión nueva poco a poco, sin dejar de dar servicio.",
        "D": "Un conjunto de máquinas (nodos manager y worker) que trabajan juntas.",
        "E": "Detectar un contenedor caído o no sano y sustituirlo sin que nadie intervenga.",
        "F": "La definición de cómo ejecutar una aplicación: imagen, número de réplicas, puertos, redes.",
        "G": "Gestionar de forma automatizada el ciclo de vida de muchos contenedores.",
    },
}

OPCION_MULTIPLE = [
    {"key": "p1",
     "text": "Sin orquestador, alguien para por error una de tus tres réplicas (docker stop web2). "
             "¿Qué pasa?",
     "options": {"a": "Docker la arranca de nuevo enseguida, en otro nodo.",
                 "b": "Las otras dos réplicas se reinician para repartir la carga.",
                 "c": "Sigue parada hasta que alguien se dé cuenta y la arranque a mano.",
                 "d": "El balanceador la sustituye por una nueva."}},
    {"key": "p2",
     "text": "¿Qué hace el control plane (los nodos manager) de un clúster?",
     "options": {"a": "Ejecuta los contenedores de la aplicación y nada más.",
                 "b": "Guarda las imágenes de los contenedores.",
                 "c": "Publica los puertos de los servicios hacia Internet.",
                 "d": "Toma las decisiones y guarda el estado del clúster: API, scheduler, "
                      "controladores, etcd."}},
    {"key": "p3",
     "text": "Un clúster tiene 5 nodos manager. ¿Cuántos pueden caer a la vez sin que se pierda "
             "el quórum?",
     "options": {"a": "1", "b": "2", "c": "3", "d": "4"}},
    {"key": "p4",
     "text": "Una empresa mediana: 20 servicios en 6 servidores, quiere alta disponibilidad básica "
             "y montarlo en minutos con los ficheros compose que ya tiene. Según los casos de uso "
             "del módulo, ¿qué le recomiendas?",
     "options": {"a": "Docker Compose", "b": "Kubernetes", "c": "Docker Swarm"}},
    {"key": "p5",
     "text": "¿Cuál de estas diferencias entre Docker Swarm y Kubernetes es cierta?",
     "options": {"a": "Kubernetes trae auto-scaling avanzado (el HPA); en Swarm el auto-scaling "
                      "es limitado.",
                 "b": "Swarm escala a más nodos que Kubernetes.",
                 "c": "Swarm tiene el ecosistema más amplio y es el estándar de la industria.",
                 "d": "Kubernetes se instala en minutos; Swarm necesita días."}},
    {"key": "p6",
     "text": "La api necesita hablar con la base de datos db; las dos están en la red definida "
             "por el usuario app-net. ¿Cómo la encuentra?",
     "options": {"a": "Con la IP de db escrita en el código de la api.",
                 "b": "Por su nombre: el DNS interno resuelve db a la dirección del contenedor.",
                 "c": "No puede: hay que publicar el puerto de db en el host.",
                 "d": "Solo si las dos están en la red bridge por defecto."}},
    {"key": "p7",
     "text": "Un balanceador round-robin con health checks pasivos tiene 3 réplicas y una deja "
             "de responder. Llegan 30 peticiones. ¿Qué reparto esperas?",
     "options": {"a": "10/10/10: round-robin siempre reparte igual.",
                 "b": "Las 30 a la primera réplica.",
                 "c": "Ninguna: el balanceador se detiene hasta que vuelva la réplica.",
                 "d": "Unas 15/15 entre las dos sanas; la caída vuelve a recibir cuando pase "
                      "fail_timeout y responda."}},
    {"key": "p8",
     "text": "Un autoescalador como el HPA: 4 réplicas al 90 % de CPU con un objetivo del 60 %. "
             "¿Cuántas réplicas pide?",
     "options": {"a": "6", "b": "4", "c": "5", "d": "8"}},
    {"key": "p9",
     "text": "¿En qué se diferencia la autocuración (self-healing) de un orquestador de la "
             "política de reinicio de Docker (--restart)?",
     "options": {"a": "En nada: son lo mismo con otro nombre.",
                 "b": "La política de reinicio solo actúa cuando el proceso termina, y en el mismo "
                      "host; el orquestador compara estado deseado y actual, sustituye réplicas "
                      "no sanas y las lleva a otro nodo si uno cae.",
                 "c": "El orquestador solo reinicia contenedores cuando se lo pides a mano.",
                 "d": "La política de reinicio también sustituye los nodos caídos."}},
    {"key": "p10",
     "text": "Rolling update de 4 réplicas con maxUnavailable = 1 y maxSurge = 1. Durante la "
             "actualización, ¿cuántas réplicas disponibles hay como mínimo?",
     "options": {"a": "0", "b": "2", "c": "3", "d": "5"}},
]

# %% [markdown]
# ## 2. ¿Qué necesitas saber antes de continuar?
#
# El módulo termina con esta lista. Cada pregunta de abajo comprueba una de sus líneas:
#
# | necesitas saber | preguntas | dónde lo viste |
# |---|---|---|
# | ✅ Por qué necesitamos orquestación | p1 | 00 |
# | ✅ Conceptos básicos de clústeres | p2, p3 | 02 |
# | ✅ Diferencia Swarm vs Kubernetes | p4, p5 | 07 |
# | ✅ Service discovery y load balancing | p6, p7 | 03, 04 |
# | ✅ Auto-scaling y self-healing | p8, p9 | 06, 01 |
# | ✅ (y los rolling updates) | p10 | 05 |
#
# Si dudas en alguna, vuelve a ese cuaderno antes de contestar: es justo lo que el Módulo 8 da
# por sabido.

# %% [markdown]
# El cuestionario: primero la relación de conceptos, después las diez preguntas.

# %%
borrador = {}
display(Quiz([RELACIONAR] + OPCION_MULTIPLE, borrador))

# %% [markdown]
# ## Tus respuestas
#
# Escribe aquí el diccionario `respuestas`: una letra por pregunta (`"p1"` … `"p10"`) y, en
# `"relacionar"`, un diccionario con una letra por concepto. Es la línea que te da el
# cuestionario de arriba, por ejemplo:
#
# ```python
# respuestas = {"relacionar": {"orquestacion": "?", "cluster": "?", ...}, "p1": "?", ..., "p10": "?"}
# ```

# %% nbgrader={"grade": false, "grade_id": "respuestas", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
respuestas = dict(
    relacionar=dict(orquestacion="G", cluster="D", service="F", replicas="B",
                    self_healing="E", rolling_update="C", estado_deseado="A"),
    p1="c", p2="d", p3="b", p4="c", p5="a", p6="b", p7="d", p8="a", p9="b", p10="c",
)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_formato", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
assert isinstance(respuestas, dict), (
    f"Se esperaba un diccionario en `respuestas` y llegó {type(respuestas).__name__}.")
for pregunta in OPCION_MULTIPLE:
    clave, validas = pregunta["key"], set(pregunta["options"])
    dada = respuestas.get(clave)
    assert clave in respuestas, (
        f"Falta la respuesta a '{clave}': `respuestas` debe tener las claves 'relacionar' y 'p1' "
        f"… 'p10' (copia la línea que da el cuestionario), y tiene {sorted(respuestas)}.")
    assert str(dada).strip().lower() in validas, (
        f"En '{clave}' se esperaba una de las letras {sorted(validas)} y llegó {dada!r}"
        + (" (sin contestar)." if dada is None else "."))
relacion = respuestas.get("relacionar")
assert isinstance(relacion, dict), (
    f"En 'relacionar' se esperaba un diccionario concepto → letra y llegó {relacion!r}.")
faltan = sorted(set(RELACIONAR["items"]) - set(relacion))
assert not faltan, f"En 'relacionar' faltan estos conceptos: {faltan}."
letras = [str(v).strip().upper() for v in relacion.values()]
assert set(letras) <= set(RELACIONAR["options"]), (
    f"En 'relacionar' se esperaban letras de la A a la G y llegaron {sorted(set(letras))}.")
print("Formato correcto: todas contestadas. Los aciertos se ven al corregir.")

# %% [markdown]
# Las celdas siguientes corrigen cada parte comparando huellas. Si ejecutas una sin haber
# contestado bien, fallará y te dirá qué respuesta llegó, pero no cuál se esperaba.

# %% nbgrader={"grade": true, "grade_id": "test_relacionar_1", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Orquestación, Cluster, Service, Réplicas (comprobación oculta: se corrige al entregar).
assert isinstance(respuestas.get("relacionar"), dict), (
    "Falta 'relacionar' en `respuestas`: un diccionario concepto → letra (mira la prueba de "
    f"formato); llegó {respuestas.get('relacionar')!r}.")
### BEGIN HIDDEN TESTS
for concepto, esperada in [
    ("orquestacion", "8c64d893d8ba959a0289d0c8"),
    ("cluster", "77ec079206df4322462ea70a"),
    ("service", "d4ac2839ab8bf77067d42486"),
    ("replicas", "2fe2b5f5817cdd1dced6f758"),
]:
    dada = (respuestas.get("relacionar") or {}).get(concepto)
    assert huella(f"relacionar.{concepto}", dada) == esperada, (
        f"La definición elegida para '{concepto}' ({dada!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_relacionar_2", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Self-Healing, Rolling Update, Estado Deseado (comprobación oculta: se corrige al entregar).
assert isinstance(respuestas.get("relacionar"), dict), (
    "Falta 'relacionar' en `respuestas`: un diccionario concepto → letra (mira la prueba de "
    f"formato); llegó {respuestas.get('relacionar')!r}.")
### BEGIN HIDDEN TESTS
for concepto, esperada in [
    ("self_healing", "1a18d9dcb526ea588cb72b53"),
    ("rolling_update", "3b2a952fa04bc5e46c1f18c5"),
    ("estado_deseado", "4afd7bd736987fd7fa87209d"),
]:
    dada = (respuestas.get("relacionar") or {}).get(concepto)
    assert huella(f"relacionar.{concepto}", dada) == esperada, (
        f"La definición elegida para '{concepto}' ({dada!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p1 · por qué necesitamos orquestación (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p1", respuestas.get("p1")) == "0f40769955164c0d992aa61c", (
    f"La respuesta a p1 ({respuestas.get('p1')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p2 · el control plane de un clúster (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p2", respuestas.get("p2")) == "af29a5a4074e0036cf1ed3e0", (
    f"La respuesta a p2 ({respuestas.get('p2')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p3 · el quórum de los managers (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p3", respuestas.get("p3")) == "24cf74d83471d5cb831efc15", (
    f"La respuesta a p3 ({respuestas.get('p3')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p4", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p4 · casos de uso: Compose, Swarm o Kubernetes (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p4", respuestas.get("p4")) == "f4b6a2f868eb6c25048c5e38", (
    f"La respuesta a p4 ({respuestas.get('p4')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p5", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p5 · Docker Swarm vs Kubernetes (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p5", respuestas.get("p5")) == "387bf9e2be7ee270d6a6712c", (
    f"La respuesta a p5 ({respuestas.get('p5')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p6", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p6 · service discovery (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p6", respuestas.get("p6")) == "c8051c39f5ddafce1a59e758", (
    f"La respuesta a p6 ({respuestas.get('p6')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p7", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p7 · load balancing con health checks (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p7", respuestas.get("p7")) == "d0c1bd7a73e0eef2cec6de9e", (
    f"La respuesta a p7 ({respuestas.get('p7')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p8", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p8 · auto-scaling (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p8", respuestas.get("p8")) == "32e799118e62c7121f83ee36", (
    f"La respuesta a p8 ({respuestas.get('p8')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p9", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p9 · self-healing frente a la política de reinicio (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p9", respuestas.get("p9")) == "a341a3f3f2e114c053a4b35c", (
    f"La respuesta a p9 ({respuestas.get('p9')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_p10", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# p10 · rolling updates (comprobación oculta).
### BEGIN HIDDEN TESTS
assert huella("p10", respuestas.get("p10")) == "1a0c58ad95f81b02135a5dc4", (
    f"La respuesta a p10 ({respuestas.get('p10')!r}) no es la correcta.")
### END HIDDEN TESTS

# %% [markdown]
# ## Próximos pasos
#
# En el **Módulo 8** comenzarás con **Docker Swarm**: tu primer clúster, desplegar servicios y
# stacks, escalar aplicaciones, alta disponibilidad y gestión de secrets. Después, en los
# **Módulos 9-10**, Kubernetes: Pods, Deployments, Services, ConfigMaps y Secrets, Ingress y
# volúmenes persistentes, escalado y monitoreo.
#
# Lo que ya traes de aquí: la orquestación es un **bucle de control** que mantiene el **estado
# deseado**; todo lo demás (réplicas, autocuración, rolling updates, service discovery, balanceo,
# autoescalado) son formas de ese mismo bucle. ¡Nos vemos en el Módulo 8! 🐳⚙️
