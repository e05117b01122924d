"""The compatibility report: how the mock serves each operation and parameter of a spec.

`mockserver check --spec F` prints it (`--json` for tools), and the banner says its counts
in one line. Every operation is listed with how it is served (a collection, a detail, a
nested collection, an action, a body generated from its schema, ...) and every query
parameter as modelled (the field and lookup, or the control it is) or accepted but not
modelled: a parameter the engine cannot map is still in the contract, so it is accepted,
and filters nothing. Nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter

from mockserver.contract.resource import Kind
from mockserver.contract.spec import PREFER, Operation, Param, Spec


def parameter(param: Param) -> dict:
    """A query parameter as the report says it.

    >>> parameter(Param("price__gte", {}, field="price", lookup="gte"))
    {'name': 'price__gte', 'modelled': True, 'field': 'price', 'lookup': 'gte'}
    >>> parameter(Param("city", {}))
    {'name': 'city', 'modelled': False}
    """
    if param.control is not None:
        return {"name": param.name, "modelled": True, "control": param.control}
    if param.field is not None:
        return {"name": param.name, "modelled": True, "field": param.field, "lookup": param.lookup}
    return {"name": param.name, "modelled": False}


def operation(op: Operation) -> dict:
    view = op.view
    entry = {
        "method": op.method,
        "path": op.path,
        "operationId": op.operation_id,
        "served": str(view.kind),
        "resource": view.resource,
    }
    if view.resource is not None and view.paging != "none":
        entry["pagination"] = str(view.paging)
    if view.scope is not None:
        entry["scope"] = {
            "parameter": view.scope.param,
            "parent": view.scope.parent,
            "field": view.scope.field,
        }
    # A read's parameters are filters, modelled or not; a write's filter nothing (strict
    # mode checks them against their schemas), so the report leaves them out.
    reads = op.method in ("GET", "HEAD")
    entry["parameters"] = [parameter(p) for p in op.query.values() if reads and p.control != PREFER]
    return entry


def report(spec: Spec) -> dict:
    """The whole report, as `check --json` writes it."""
    operations = [operation(op) for op in spec.operations]
    params = [p for entry in operations for p in entry["parameters"]]
    return {
        "spec": str(spec.path),
        "operations": operations,
        "counts": counts(spec),
        "parameters": {
            "modelled": sum(1 for p in params if p["modelled"]),
            "accepted, not modelled": sum(1 for p in params if not p["modelled"]),
        },
        "warnings": [str(w) for w in spec.warnings],
    }


def counts(spec: Spec) -> dict[str, int]:
    """Operations by how they are served, in the order of `Kind`."""
    found = Counter(op.view.kind for op in spec.operations)
    return {str(kind): found[kind] for kind in Kind if found[kind]}


def summary(spec: Spec) -> str:
    """One line: `12 operations: 3 collection, 3 detail, 6 write (405 ...); 2 parameters
    accepted, not modelled`."""
    parts = ", ".join(f"{n} {kind}" for kind, n in counts(spec).items())
    total = len(spec.operations)
    line = f"{total} operation{'s' if total != 1 else ''}: {parts or 'none'}"
    loose = sum(
        1
        for op in spec.operations
        if op.method in ("GET", "HEAD")
        for p in op.query.values()
        if p.control is None and p.field is None
    )
    if loose:
        line += f"; {loose} parameter{'s' if loose != 1 else ''} accepted, not modelled"
    return line


def text(spec: Spec) -> str:
    """The report as `check` prints it: an operation a line, its parameters below it."""
    lines = []
    for op in spec.operations:
        entry = operation(op)
        how = entry["served"]
        if entry["resource"] and entry["resource"] != op.path:
            how += f" of {entry['resource']}"
        if "pagination" in entry:
            how += f", {entry['pagination']} pagination"
        if "scope" in entry:
            scope = entry["scope"]
            how += f", scoped by {{{scope['parameter']}}}"
            if scope["field"]:
                how += f" = {scope['field']}"
        lines.append(f"{op.method:<7} {op.path}  {how}")
        for param in entry["parameters"]:
            if not param["modelled"]:
                said = "accepted, not modelled"
            elif "control" in param:
                said = param["control"]
            else:
                said = f"{param['field']} {param['lookup']}"
            lines.append(f"          ?{param['name']}  {said}")
    return "\n".join(lines)
