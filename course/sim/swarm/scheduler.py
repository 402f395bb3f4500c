"""Placement: filter the nodes a task may run on, then spread tasks over them.

Why these rules (swarmkit's scheduler, reduced to what a lesson can observe):
1. **Filter**, in swarmkit's order: the node is ready and ``active`` (ReadyFilter), it has the CPU
   and memory the task reserves free (ResourceFilter), and it meets every placement constraint
   (ConstraintFilter). A task no node passes stays ``pending`` with the engine's explanation,
   ``no suitable node (insufficient resources on 2 nodes)``.
2. **Spread**: among the nodes left, the one with the fewest tasks of this service, then the
   fewest tasks overall; ties go to the node that joined first, so placement is reproducible.

A batch of tasks of one service is placed with one heap keyed by those counts: O(tasks × log
nodes), which is what lets 10,000 replicas land on 1,000 nodes in a fraction of a second.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable

from .nodes import Node

_CONSTRAINT = re.compile(r"^\s*([\w.\-]+)\s*(==|!=)\s*(.*?)\s*$")


class ConstraintError(ValueError):
    """A placement constraint the engine would not parse."""


def parse_constraint(expr: str) -> tuple[str, str, str]:
    """``"node.labels.zone==east"`` → ``("node.labels.zone", "==", "east")``.

    >>> parse_constraint("node.role != manager")
    ('node.role', '!=', 'manager')
    """
    match = _CONSTRAINT.match(expr)
    if not match or not match[3]:
        raise ConstraintError(f"invalid constraint: {expr!r} (use key==value or key!=value)")
    return match[1], match[2], match[3]  # an unknown key is accepted, and never satisfied


def node_value(node: Node, key: str) -> str | None:
    if key == "node.id":
        return node.id
    if key == "node.hostname":
        return node.hostname
    if key == "node.role":
        return node.role
    if key == "node.platform.os":
        return "linux"
    if key == "node.platform.arch":
        return "x86_64"
    if key.startswith("node.labels."):
        return node.labels.get(key[len("node.labels."):])
    return None  # engine.labels: the simulated engines carry none


def meets(node: Node, constraints: Iterable[tuple[str, str, str]]) -> bool:
    """Whether ``node`` satisfies every parsed constraint (case-insensitive, as in swarmkit).

    >>> from .nodes import GIB, NANO
    >>> n = Node(id="a", hostname="w1", order=0, nano_cpus=NANO, memory=GIB, labels={"zone": "e"})
    >>> meets(n, [parse_constraint("node.labels.zone==E")])
    True
    >>> meets(n, [parse_constraint("node.role==manager")])
    False
    """
    for key, op, wanted in constraints:
        value = node_value(node, key)
        equal = value is not None and value.lower() == wanted.lower()
        if equal != (op == "=="):
            return False
    return True


def _plural(count: int, what: str) -> str:
    return f"{what} on {count} node{'s' if count != 1 else ''}"


def explain(nodes: Iterable[Node], constraints, cpus: int, memory: int) -> str:
    """Why no node can take a task, in the engine's words."""
    not_ready = unmet = short = 0
    for node in nodes:
        if not node.accepts_tasks:
            not_ready += 1
        elif not node.fits(cpus, memory):
            short += 1
        elif not meets(node, constraints):
            unmet += 1
    parts = []
    if not_ready:
        parts.append(f"{not_ready} node{'s' if not_ready != 1 else ''} not available for new tasks")
    if short:
        parts.append(_plural(short, "insufficient resources"))
    if unmet:
        parts.append(_plural(unmet, "scheduling constraints not satisfied"))
    return f"no suitable node ({'; '.join(parts) or 'no nodes'})"


def candidates(nodes: Iterable[Node], constraints) -> list[Node]:
    """Nodes passing the ready and constraint filters (resources are checked per task)."""
    return [n for n in nodes if n.accepts_tasks and meets(n, constraints)]


def spread(count: int, service_id: str, nodes: list[Node], cpus: int, memory: int) -> list[Node]:
    """Pick nodes for ``count`` new tasks of one service; fewer than ``count`` if capacity ends.

    The caller accounts each placement (``node.hold``) before the next pick matters; this
    function simulates that with its own counters so it can place the whole batch at once.

    >>> from .nodes import GIB, NANO
    >>> ns = [Node(id=i, hostname=i, order=k, nano_cpus=NANO, memory=GIB)
    ...       for k, i in enumerate("abc")]
    >>> [n.id for n in spread(4, "svc", ns, 0, 0)]
    ['a', 'b', 'c', 'a']
    >>> [n.id for n in spread(4, "svc", ns, NANO // 2, 0)]  # each node fits two half-CPU tasks
    ['a', 'b', 'c', 'a']
    >>> len(spread(7, "svc", ns, NANO // 2, 0))
    6
    """
    heap = [(n.per_service.get(service_id, 0), len(n.tasks), n.order, n.free_cpus,
             n.free_memory, n) for n in nodes]
    heapq.heapify(heap)
    chosen: list[Node] = []
    while len(chosen) < count and heap:
        mine, total, order, free_cpu, free_mem, node = heapq.heappop(heap)
        if cpus > free_cpu or memory > free_mem:
            continue  # full for this task size: drop it from this batch
        chosen.append(node)
        heapq.heappush(heap, (mine + 1, total + 1, order, free_cpu - cpus, free_mem - memory, node))
    return chosen
