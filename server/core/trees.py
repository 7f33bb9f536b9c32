"""The org-unit tree walk, written once: scope (auth/scope.py), the indicator's hierarchy and
its per-market list all need "this unit and every unit below it"."""

from collections.abc import Hashable, Iterable, Mapping


def children_of(parent_by_unit: Iterable[tuple[Hashable, Hashable]]) -> dict:
    """(unit, parent) pairs → {parent: [units]}."""
    children: dict = {}
    for unit, parent in parent_by_unit:
        children.setdefault(parent, []).append(unit)
    return children


def subtree(children: Mapping, root) -> list:
    """`root` and every unit below it, each once (a malformed tree with a loop stops)."""
    found, seen, stack = [], set(), [root]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        found.append(current)
        stack.extend(children.get(current, ()))
    return found
