# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Escalado y auto-scaling
#
# **Módulo 7 — Introducción a Orquestación**
#
# Uno de los problemas que resuelve un orquestador es la **escalabilidad**:
#
# - escalar horizontalmente (más instancias),
# - distribuir la carga entre instancias,
# - **auto-scaling basado en métricas**.
#
# Sin orquestador, "¿cómo escalar a 10 instancias?" se responde con `docker run` ×10. Con
# orquestador, con una orden (`docker service scale web=10`, `kubectl scale --replicas=10`) y,
# mejor aún, **sin ninguna orden**: el orquestador mira una métrica (CPU, peticiones por segundo…)
# y decide solo cuántas réplicas hacen falta. En este cuaderno construyes las dos cosas: el
# escalado a mano y el cerebro de un autoescalador, la misma fórmula que usa el
# *Horizontal Pod Autoscaler* (HPA) de Kubernetes.
#
# | paso | qué construyes | puntos |
# |---|---|---|
# | 1 | `escalar(lab, n)`: dejar exactamente `n` réplicas en marcha con docker-py | 2 |
# | 2 | `replicas_deseadas(...)`: la fórmula del HPA con su tolerancia del 10 % | 2 + 1 |
# | 3 | `estabilizar(recomendaciones, ventana)`: la ventana de estabilización | 2 |
# | 4 | `serie_replicas(...)`: el autoescalador sobre una traza de carga (Python puro) | 2 |
# | 5 | `autoescalar(lab, ...)`: el autoescalador moviendo réplicas de verdad | 2 |

# %% tags=["parameters"]
BACKEND = "auto"
SEED = 0

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import warnings

warnings.filterwarnings("ignore")  # avisos internos de las librerías, no de tu código

import ipywidgets as widgets
from IPython.display import display

from course import Lab
from course.views import LoadChart, LoadSlider

lab = Lab(backend=BACKEND, seed=SEED)
client = lab.client


def en_marcha(lab):
    """Las réplicas de `web` de este laboratorio que están en marcha, ordenadas por nombre."""
    vivos = lab.client.containers.list(filters={**lab.filters(app="web"), "status": "running"})
    return sorted(vivos, key=lambda c: c.name)


# %% [markdown]
# ## 1. Escalar a mano: horizontal y vertical
#
# Hay dos formas de dar más capacidad a una aplicación:
#
# - **Escalado vertical**: una máquina (o un contenedor) más grande, con más CPU y memoria. Tiene
#   un techo (la máquina más grande que puedas comprar) y suele exigir reiniciar.
# - **Escalado horizontal**: **más réplicas** del mismo contenedor, repartiendo la carga entre
#   ellas. No tiene ese techo, y además da **alta disponibilidad**: si una réplica cae, las otras
#   siguen atendiendo. Es lo que hacen los orquestadores.
#
# Escalar horizontalmente es, en el fondo, hacer que el **estado actual** (cuántas réplicas hay)
# sea igual al **estado deseado** (cuántas quieres). Sin orquestador lo haces tú, con docker-py:
# arrancar las que falten y parar las que sobren. Mira cómo se arranca una réplica etiquetada:

# %%
demo = client.containers.run(lab.image("web", 1), detach=True, name=lab.name("demo"),
                             labels=lab.labels(app="demo"))
demo.reload()  # el objeto guarda el estado de cuando se creó: reload() lo pide de nuevo al motor
print(demo.name, demo.status, lab.http_get(demo).body)
demo.remove(force=True)

# %% [markdown]
# La ayuda `en_marcha(lab)` (en la celda de preparación) lista las réplicas de `web` de tu
# laboratorio que están en marcha: solo ve los contenedores con las etiquetas de `lab.labels(app="web")`.
#
# ### Paso 1 — `escalar(lab, n)`
#
# Escribe `escalar(lab, n)` para que, al terminar, haya **exactamente `n` réplicas** de
# `course/web:1` en marcha, y devuelva cuántas hay (contándolas en el laboratorio, no
# suponiéndolo):
#
# - si faltan, arranca las que falten con `client.containers.run(...)`, como la de arriba: imagen
#   `lab.image("web", 1)`, `detach=True`, las etiquetas `lab.labels(app="web")` y cada réplica con
#   un nombre distinto de `lab.name(...)` (por ejemplo `lab.name("web-01")`, `lab.name("web-02")`…);
# - si sobran, elimina las que sobren (`contenedor.remove(force=True)`);
# - si ya hay `n`, **no toques nada**: escalar es idempotente.

# %% nbgrader={"grade": false, "grade_id": "escalar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def escalar(lab, n):
    ### BEGIN SOLUTION
    vivos = en_marcha(lab)
    for sobrante in vivos[n:]:
        sobrante.remove(force=True)
    ocupados = {c.name for c in lab.client.containers.list(all=True, filters=lab.filters(app="web"))}
    faltan = n - min(len(vivos), n)
    indice = 0
    while faltan > 0:
        indice += 1
        nombre = lab.name(f"web-{indice:02d}")
        if nombre in ocupados:
            continue
        lab.client.containers.run(lab.image("web", 1), detach=True,
                                  name=nombre, labels=lab.labels(app="web"))
        ocupados.add(nombre)
        faltan -= 1
    return len(en_marcha(lab))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_escalar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def _escalar(n):
    try:
        return escalar(lab, n)
    except Exception as e:
        for c in lab.client.containers.list(all=True, filters=lab.filters(app="web")):
            c.remove(force=True)  # que las pruebas siguientes empiecen de cero
        raise AssertionError(
            f"escalar(lab, {n}) lanzó {type(e).__name__}: {e}. Si es un 409 (Conflict), arrancaste "
            "una réplica con un nombre que ya existe: busca un nombre libre en vez de numerar "
            "desde cuántas hay.") from None


for deseadas in (3, 5, 2):
    devuelto = _escalar(deseadas)
    vivos = en_marcha(lab)
    assert len(vivos) == deseadas, (
        f"Tras escalar(lab, {deseadas}) se esperaban {deseadas} réplicas en marcha "
        f"y hay {len(vivos)}.")
    assert devuelto == deseadas, (
        f"escalar(lab, {deseadas}) debe devolver cuántas réplicas quedan en marcha: "
        f"se esperaba {deseadas} y devolvió {devuelto!r}.")
    assert len({c.name for c in vivos}) == deseadas, "Cada réplica debe tener un nombre distinto."
### BEGIN HIDDEN TESTS
antes = {c.id for c in en_marcha(lab)}
_escalar(2)
despues = {c.id for c in en_marcha(lab)}
assert antes == despues, (
    "Con el estado actual igual al deseado, escalar no debe tocar nada: "
    f"se esperaban los mismos {len(antes)} contenedores y cambiaron.")
assert _escalar(0) == 0 and en_marcha(lab) == [], "escalar(lab, 0) debe dejar 0 réplicas."
assert _escalar(4) == 4 and len(en_marcha(lab)) == 4, "escalar(lab, 4) desde 0 debe dejar 4."
# 4 → 3, cae la primera réplica y se vuelve a 3: los nombres nuevos no pueden chocar
_escalar(3)
en_marcha(lab)[0].remove(force=True)
assert _escalar(3) == 3 and len({c.name for c in en_marcha(lab)}) == 3, (
    f"Tras caer una réplica, escalar(lab, 3) debe volver a 3 con nombres distintos y hay "
    f"{[c.name for c in en_marcha(lab)]}.")
_ = _escalar(0)
### END HIDDEN TESTS

# %% [markdown]
# Escalar a mano funciona… mientras alguien mire. ¿Quién decide **cuántas** réplicas hacen falta
# a las 3 de la madrugada, cuando llega un pico de tráfico? Eso es el **auto-scaling basado en
# métricas**.
#
# ## 2. La fórmula del autoescalador
#
# El HPA de Kubernetes revisa cada 15 s una métrica media por réplica (por ejemplo el uso de CPU,
# o las peticiones por segundo que atiende cada réplica) y la compara con un **objetivo**:
#
# $$\text{deseadas} = \left\lceil \text{actuales} \times \frac{\text{métrica}}{\text{objetivo}} \right\rceil$$
#
# (La fórmula y la tolerancia son las del HPA. El HPA de verdad, además, limita cuánto sube de
# una vez: por defecto, en cada periodo de 15 s, como mucho el doble de réplicas o 4 más, lo que
# sea mayor (`behavior.scaleUp.policies`). Este cuaderno deja fuera esas políticas de subida: aquí
# el autoescalador salta de 2 a 8 réplicas de golpe, donde el HPA pasaría por 6.)
#
# Si 3 réplicas atienden 100 pet./s cada una y el objetivo es 50 pet./s por réplica, hacen falta
# $\lceil 3 \times 100/50 \rceil = 6$. Si atienden 25 pet./s cada una, sobran: $\lceil 3 \times
# 25/50 \rceil = 2$ (se redondea **hacia arriba**: mejor una réplica de más que una de menos).
#
# Dos reglas más:
#
# - **Tolerancia del 10 %**: si la razón $\text{métrica}/\text{objetivo}$ está a 0,1 o menos de 1,
#   es decir `abs(metrica / objetivo - 1) <= 0.1` (la comparación del HPA: los bordes 0,9 y 1,1
#   **cuentan como dentro**), el autoescalador **no cambia nada** y se queda con las actuales.
#   Las métricas siempre oscilan un poco; sin tolerancia, las réplicas subirían y bajarían sin
#   parar. Puedes escribirlo también como `0.9 <= razon <= 1.1`: en coma flotante las dos formas
#   solo discrepan justo en el borde de arriba (`55 / 50 - 1` da `0.10000000000000009`), y las
#   pruebas no dependen de ese caso.
# - **Mínimo y máximo**: el resultado se recorta siempre al intervalo `[mínimo, máximo]` (también
#   cuando la tolerancia deja las actuales). El mínimo garantiza alta disponibilidad aunque no haya
#   tráfico; el máximo protege el clúster (y la factura) ante un pico o un error.
#
# ### Paso 2 — `replicas_deseadas(actuales, metrica, objetivo, minimo, maximo)`
#
# Devuelve el número entero de réplicas deseadas (`actuales ≥ 1`). Usa `math.ceil`.

# %% nbgrader={"grade": false, "grade_id": "replicas_deseadas", "locked": false, "schema_version": 3, "solution": true, "task": false}
def replicas_deseadas(actuales, metrica, objetivo, minimo, maximo):
    ### BEGIN SOLUTION
    razon = metrica / objetivo
    if abs(razon - 1) <= 0.1:
        deseadas = actuales
    else:
        deseadas = math.ceil(actuales * razon)
    return max(minimo, min(maximo, deseadas))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_replicas_deseadas", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
for args, esperado in [
    ((3, 100, 50, 1, 10), 6),   # el doble de carga por réplica: el doble de réplicas
    ((4, 25, 50, 1, 10), 2),    # la mitad: la mitad
    ((3, 57, 50, 1, 10), 4),    # razón 1,14: fuera de la tolerancia, ceil(3,42) = 4
    ((3, 52, 50, 1, 10), 3),    # razón 1,04: dentro de la tolerancia, no cambia
]:
    obtenido = replicas_deseadas(*args)
    assert obtenido == esperado, (
        f"replicas_deseadas{args}: se esperaban {esperado} réplicas y devolvió {obtenido!r}.")
### BEGIN HIDDEN TESTS
for args, esperado in [
    ((5, 46, 50, 1, 20), 5),    # razón 0,92: dentro de la tolerancia
    ((5, 47.5, 50, 1, 20), 5),  # razón 0,95
    ((10, 45, 50, 1, 20), 10),  # razón 0,9: el borde cuenta como dentro de la tolerancia
    ((10, 44, 50, 1, 20), 9),   # razón 0,88: ceil(8,8) = 9
    ((2, 300, 60, 1, 20), 10),  # razón 5
    ((7, 10, 70, 1, 20), 1),    # ceil(1,0) = 1
    ((6, 80, 100, 1, 20), 5),   # razón 0,8: ceil(4,8) = 5
    ((1, 130, 100, 1, 20), 2),  # razón 1,3: ceil(1,3) = 2
]:
    obtenido = replicas_deseadas(*args)
    assert obtenido == esperado, (
        f"replicas_deseadas{args}: se esperaban {esperado} réplicas y devolvió {obtenido!r}.")
    assert isinstance(obtenido, int), f"Se esperaba un entero y llegó {type(obtenido).__name__}."
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_replicas_limites", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
for args, esperado in [
    ((3, 500, 50, 1, 10), 10),  # querría 30: el máximo manda
    ((4, 5, 50, 2, 10), 2),     # querría 1: el mínimo manda
]:
    obtenido = replicas_deseadas(*args)
    assert obtenido == esperado, (
        f"replicas_deseadas{args}: se esperaban {esperado} réplicas (mínimo/máximo) "
        f"y devolvió {obtenido!r}.")
### BEGIN HIDDEN TESTS
for args, esperado in [
    ((12, 50, 50, 1, 10), 10),  # dentro de la tolerancia, pero por encima del máximo
    ((1, 50, 50, 2, 10), 2),    # dentro de la tolerancia, pero por debajo del mínimo
    ((2, 0, 50, 3, 8), 3),      # sin carga: el mínimo
    ((8, 400, 50, 1, 8), 8),
]:
    obtenido = replicas_deseadas(*args)
    assert obtenido == esperado, (
        f"replicas_deseadas{args}: se esperaban {esperado} réplicas (mínimo/máximo) "
        f"y devolvió {obtenido!r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. La ventana de estabilización
#
# La tolerancia evita reaccionar a oscilaciones pequeñas, pero no a las grandes: si la carga sube
# y baja cada minuto, el autoescalador crearía y borraría réplicas cada minuto (*flapping*).
# Arrancar una réplica cuesta (descargar imagen, arrancar, calentar cachés) y borrarla justo antes
# del siguiente pico deja a los usuarios esperando.
#
# Por eso el HPA **sube rápido y baja despacio**: recuerda las recomendaciones de los últimos
# 300 s (la **ventana de estabilización de bajada**) y aplica **la mayor** de ellas. Si la carga
# sube, la recomendación nueva es la mayor y se aplica enseguida; si baja, manda la mayor de la
# ventana, y las réplicas solo bajan cuando **toda** la ventana pide menos.
#
# ```
# recomendaciones:  2  5  3  3  1  1  1      ventana = 3 muestras
# aplicadas:        2  5  5  5  3  3  1      (el máximo de las 3 últimas)
# ```
#
# ### Paso 3 — `estabilizar(recomendaciones, ventana)`
#
# Recibe la lista de recomendaciones, una por muestra, y devuelve la lista de réplicas aplicadas:
# en cada posición `i`, el máximo de las últimas `ventana` recomendaciones **incluida la `i`**
# (al principio, las que haya). Con muestras cada 15 s, una ventana de 300 s son 20 muestras.

# %% nbgrader={"grade": false, "grade_id": "estabilizar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def estabilizar(recomendaciones, ventana):
    ### BEGIN SOLUTION
    aplicadas = []
    for i in range(len(recomendaciones)):
        inicio = max(0, i - ventana + 1)
        aplicadas.append(max(recomendaciones[inicio:i + 1]))
    return aplicadas
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_estabilizar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
obtenido = estabilizar([2, 5, 3, 3, 1, 1, 1], 3)
assert obtenido == [2, 5, 5, 5, 3, 3, 1], (
    f"Se esperaba [2, 5, 5, 5, 3, 3, 1] y llegó {obtenido!r}.")
obtenido = estabilizar([4, 2, 6], 1)
assert obtenido == [4, 2, 6], f"Con ventana 1 no se estabiliza nada: se esperaba [4, 2, 6] y llegó {obtenido!r}."
### BEGIN HIDDEN TESTS
assert estabilizar([], 5) == [], f"Sin recomendaciones no hay réplicas: llegó {estabilizar([], 5)!r}."
for recs, ventana, esperado in [
    ([1, 1, 9, 1, 1, 1, 1, 1], 4, [1, 1, 9, 9, 9, 9, 1, 1]),
    ([3, 2, 1, 5, 4, 3, 2, 1], 2, [3, 3, 2, 5, 5, 4, 3, 2]),
    ([7, 1, 1], 20, [7, 7, 7]),
]:
    obtenido = estabilizar(recs, ventana)
    assert obtenido == esperado, (
        f"estabilizar({recs}, {ventana}): se esperaba {esperado} y llegó {obtenido!r}.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. El autoescalador sobre una traza de carga
#
# Ahora juntamos las piezas como lo hace el HPA en cada revisión. La traza es la **carga total**
# que recibe el servicio (pet./s) en cada muestra; la métrica por réplica depende de cuántas haya:
#
# ```
# réplicas = inicial;  recomendaciones = []
# para cada carga de la traza:
#     métrica = carga / réplicas                       (pet./s que atiende cada réplica)
#     recomendación = replicas_deseadas(réplicas, métrica, objetivo, mínimo, máximo)
#     réplicas = máximo de las últimas `ventana` recomendaciones (incluida esta)
#     apuntar réplicas
# ```
#
# ### Paso 4 — `serie_replicas(cargas, inicial, objetivo, minimo, maximo, ventana)`
#
# Devuelve la lista de réplicas tras cada muestra (una por carga).

# %% nbgrader={"grade": false, "grade_id": "serie_replicas", "locked": false, "schema_version": 3, "solution": true, "task": false}
def serie_replicas(cargas, inicial, objetivo, minimo, maximo, ventana):
    ### BEGIN SOLUTION
    replicas = inicial
    recomendaciones, serie = [], []
    for carga in cargas:
        recomendaciones.append(
            replicas_deseadas(replicas, carga / replicas, objetivo, minimo, maximo))
        replicas = max(recomendaciones[-ventana:])
        serie.append(replicas)
    return serie
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_serie_replicas", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
cargas = [100, 100, 400, 400, 100, 100, 100, 100, 100]
obtenido = serie_replicas(cargas, inicial=2, objetivo=50, minimo=1, maximo=10, ventana=3)
esperado = [2, 2, 8, 8, 8, 8, 2, 2, 2]
assert obtenido == esperado, (
    f"Con la traza {cargas} se esperaba la serie {esperado} y llegó {obtenido!r}.")
### BEGIN HIDDEN TESTS
for args, esperado in [
    (([60, 60, 900, 900, 30, 30, 30, 30], 1, 50, 2, 6, 2), [2, 2, 6, 6, 6, 2, 2, 2]),
    (([52, 48, 54, 46, 50], 1, 50, 1, 10, 3), [1, 1, 1, 1, 1]),
    (([100, 300, 120, 110, 90, 40, 40, 40, 40, 40], 2, 50, 1, 20, 4),
     [2, 6, 6, 6, 6, 3, 3, 2, 1, 1]),
    (([10, 10, 10], 5, 100, 1, 10, 1), [1, 1, 1]),
    # la ventana empieza vacía: las réplicas iniciales no son una recomendación
    (([60, 60, 60, 60], 6, 50, 1, 10, 3), [2, 2, 2, 2]),
]:
    obtenido = serie_replicas(*args)
    assert obtenido == esperado, (
        f"serie_replicas{args}: se esperaba {esperado} y llegó {obtenido!r}.")
### END HIDDEN TESTS

# %% [markdown]
# Mira una jornada entera: un pico a media mañana, una bajada, otro pico. Arriba sin ventana
# (`ventana=1`), abajo con una ventana de 5 minutos (20 muestras de 15 s). La línea naranja es la
# **capacidad** (réplicas × objetivo): si queda por debajo de la carga (azul, discontinua), las
# réplicas van saturadas.

# %%
OBJETIVO, MINIMO, MAXIMO = 50, 2, 12
jornada = ([80] * 6 + [300, 420, 480, 450, 200, 90, 300, 440, 120, 90, 60]
           + [60] * 20 + [250, 90, 260, 80] + [60] * 6)
t_jornada = [15 * i for i in range(len(jornada))]
for ventana, titulo in [(1, "Sin ventana de estabilización"),
                        (20, "Con ventana de estabilización de 300 s")]:
    serie = serie_replicas(jornada, 2, OBJETIVO, MINIMO, MAXIMO, ventana)
    cambios = sum(1 for a, b in zip(serie, serie[1:]) if a != b)
    display(LoadChart(zip(t_jornada, jornada, serie), target=OBJETIVO,
                      title=f"{titulo}: {cambios} cambios de réplicas"))

# %% [markdown]
# Sin ventana, cada bajada de carga borra réplicas que el siguiente pico vuelve a necesitar. Con
# ventana, las réplicas aguantan el valle corto y solo bajan cuando la carga lleva 5 minutos
# baja. El precio: durante esos minutos pagas réplicas ociosas. Es un compromiso, y por eso la
# ventana se configura (`behavior.scaleDown.stabilizationWindowSeconds` en Kubernetes).
#
# ## 5. El autoescalador moviendo réplicas de verdad
#
# Hasta ahora las réplicas eran números. Ahora el autoescalador manda sobre contenedores: en
# cada muestra **cuenta** las réplicas en marcha, calcula la recomendación, aplica la ventana y
# llama a tu `escalar`. Es un bucle de control, como los del orquestador: observar, decidir, actuar.
#
# ### Paso 5 — `autoescalar(lab, cargas, objetivo, minimo, maximo, ventana, periodo)`
#
# Parte de las réplicas que ya haya en marcha. Para cada carga de la traza:
#
# 1. cuenta las réplicas en marcha (`en_marcha(lab)`), calcula la métrica (carga / réplicas) y la
#    recomendación con `replicas_deseadas`;
# 2. aplica la ventana (el máximo de las últimas `ventana` recomendaciones) y escala con `escalar`;
# 3. apunta en el historial `{"t": lab.now(), "carga": carga, "replicas": <las que hay en marcha>}`;
# 4. espera `periodo` segundos con `lab.sleep(periodo)` (en el simulador el tiempo es virtual).
#
# Devuelve el historial (una entrada por carga).

# %% nbgrader={"grade": false, "grade_id": "autoescalar", "locked": false, "schema_version": 3, "solution": true, "task": false}
def autoescalar(lab, cargas, objetivo, minimo, maximo, ventana, periodo):
    ### BEGIN SOLUTION
    historial, recomendaciones = [], []
    for carga in cargas:
        actuales = len(en_marcha(lab))
        recomendaciones.append(
            replicas_deseadas(actuales, carga / actuales, objetivo, minimo, maximo))
        en_marcha_ahora = escalar(lab, max(recomendaciones[-ventana:]))
        historial.append({"t": lab.now(), "carga": carga, "replicas": en_marcha_ahora})
        lab.sleep(periodo)  # el tiempo entre dos muestras de la métrica
    return historial
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_autoescalar", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
escalar(lab, 2)
cargas = [100, 100, 400, 400, 100, 100, 100]
historial = autoescalar(lab, cargas, objetivo=50, minimo=1, maximo=10, ventana=3, periodo=0.5)
serie = [h["replicas"] for h in historial]
esperada = [2, 2, 8, 8, 8, 8, 2]
assert serie == esperada, (
    f"Con la traza {cargas} se esperaban las réplicas {esperada} y el historial dice {serie}.")
assert len(en_marcha(lab)) == 2, (
    f"Al final de la traza se esperaban 2 réplicas en marcha y hay {len(en_marcha(lab))}.")
### BEGIN HIDDEN TESTS
assert all(h["carga"] == c for h, c in zip(historial, cargas)), "El historial debe apuntar cada carga."
tiempos = [h["t"] for h in historial]
assert tiempos == sorted(tiempos) and tiempos[-1] - tiempos[0] >= 0.5 * (len(cargas) - 1) - 1e-6, (
    f"Se esperaba esperar `periodo` segundos entre muestras (lab.sleep); los tiempos son {tiempos}.")
escalar(lab, 3)
historial = autoescalar(lab, [30, 900, 900, 60, 60], objetivo=100, minimo=1, maximo=6, ventana=2,
                        periodo=0.1)
serie = [h["replicas"] for h in historial]
assert serie == [1, 6, 6, 6, 1], f"Se esperaban las réplicas [1, 6, 6, 6, 1] y el historial dice {serie}."
assert len(en_marcha(lab)) == 1, f"Se esperaba 1 réplica en marcha y hay {len(en_marcha(lab))}."
# parte de las que ya hay: con 4 en marcha y 400 pet./s (100 por réplica, el objetivo) no toca nada
escalar(lab, 4)
antes = {c.id for c in en_marcha(lab)}
historial = autoescalar(lab, [400, 400], objetivo=100, minimo=1, maximo=10, ventana=1, periodo=0.1)
despues = {c.id for c in en_marcha(lab)}
assert [h["replicas"] for h in historial] == [4, 4] and despues == antes, (
    "autoescalar parte de las réplicas que ya hay en marcha: con 4 atendiendo justo el objetivo "
    "no debe borrar ni crear ninguna, y cambiaron "
    f"{len(antes - despues)} (historial {[h['replicas'] for h in historial]}).")
_ = escalar(lab, 1)  # sin valor al final: nbgrader tomaría un número como nota parcial
### END HIDDEN TESTS

# %% [markdown]
# Tu autoescalador, dibujado: una traza nueva (la carga sube a 400 pet./s y vuelve a bajar), un
# objetivo de 100 pet./s por réplica, una ventana de 3 muestras y un segundo de espera entre
# muestras, más lo que tardan los contenedores en arrancar o pararse (en el motor real, segundos:
# por eso allí los puntos quedan más separados). La línea naranja es la capacidad que dieron las
# réplicas que **de verdad** estaban en marcha: mira cuántas muestras tarda en subir y cuántas en
# bajar.

# %%
escalar(lab, 1)
traza = [60, 120, 400, 400, 400, 90, 60, 60, 60]
dibujo = autoescalar(lab, traza, objetivo=100, minimo=1, maximo=6, ventana=3, periodo=1)
LoadChart([{**h, "t": round(h["t"] - dibujo[0]["t"], 2)} for h in dibujo], target=100,
          title="Tu autoescalador sobre el laboratorio")

# %% [markdown]
# ## 6. Tú pones la carga
#
# Mueve el deslizador: cada movimiento es una muestra nueva de la métrica. El autoescalador (tus
# funciones `replicas_deseadas` y `escalar`, con una ventana de 3 muestras) decide y mueve
# contenedores de verdad; el gráfico apunta la carga y las réplicas en marcha. Prueba a subir a
# 400 pet./s y bajar enseguida a 50: ¿cuántas muestras tardan en bajar las réplicas? ¿Y si subes
# poco a poco, dentro de la tolerancia?
#
# *(El deslizador solo hace algo cuando lo mueves tú: al ejecutar el cuaderno de corrido, o al
# corregirlo, no cambia nada.)*

# %%
OBJETIVO_DEMO, MINIMO_DEMO, MAXIMO_DEMO, VENTANA_DEMO = 50, 1, 10, 3
estado_demo = {"recomendaciones": [], "historial": [], "t0": lab.now()}
grafico_demo = LoadChart(target=OBJETIVO_DEMO, title="Carga que tú pones y réplicas en marcha")


def una_muestra(carga):
    actuales = max(len(en_marcha(lab)), 1)
    recomendacion = replicas_deseadas(actuales, carga / actuales, OBJETIVO_DEMO, MINIMO_DEMO,
                                      MAXIMO_DEMO)
    estado_demo["recomendaciones"].append(recomendacion)
    replicas = escalar(lab, max(estado_demo["recomendaciones"][-VENTANA_DEMO:]))
    estado_demo["historial"].append(
        {"t": round(lab.now() - estado_demo["t0"], 1), "carga": carga, "replicas": replicas})
    grafico_demo.update(estado_demo["historial"])
    return (f"carga {carga} pet./s con {actuales} réplicas → recomendación {recomendacion}; "
            f"tras la ventana: {replicas} réplicas en marcha")


display(widgets.VBox([LoadSlider(una_muestra, value=100, maximum=500), grafico_demo]))

# %% [markdown]
# ## Lo que te llevas
#
# - **Escalar horizontalmente** es cambiar el estado deseado (cuántas réplicas) y dejar que alguien
#   lo haga real; a mano, ese alguien eres tú.
# - El **auto-scaling basado en métricas** cierra el bucle: deseadas = ⌈actuales × métrica/objetivo⌉,
#   con una **tolerancia** del 10 % y recortado a **[mínimo, máximo]**.
# - La **ventana de estabilización** hace que el sistema suba rápido y baje despacio: evita el
#   *flapping* a cambio de réplicas ociosas durante un rato.
# - En el **Módulo 8** (Swarm) escalarás con `docker service scale`; Swarm no trae autoescalado
#   (su auto-scaling es **limitado**: lo pones tú, como aquí). Kubernetes lo trae de serie (**avanzado**):
#   el HPA que acabas de escribir.
#
# La última celda limpia el laboratorio: borra todo lo que creaste.

# %% nbgrader={"grade": false, "grade_id": "limpieza", "locked": true, "schema_version": 3, "solution": false, "task": false}
lab.cleanup()
