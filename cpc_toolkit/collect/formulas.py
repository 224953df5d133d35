"""Translate catalogue check rules into Excel formulas over the workbook's defined names.

The « Contrôles » sheet shows, while the user types, the same cross-field rules the import
applies (``catalogue.checks()``); the import never reads these formulas.
"""

from __future__ import annotations

import ast

from cpc_toolkit import catalogue
from cpc_toolkit.catalogue.expressions import parse
from cpc_toolkit.errors import CatalogueError, ReasonCode

RESULT_OK = "OK"
RESULT_BAD = "À corriger"
RESULT_WARN = "À vérifier"
RESULT_PENDING = "Non évalué (cellules vides)"

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMPOPS = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FUNCS = {"sum": "SUM", "min": "MIN", "max": "MAX"}


def _unit(name: str) -> str:
    try:
        return catalogue.get(name).unit
    except CatalogueError:
        return "count"


def _excel(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Name):
        if _unit(node.id) == "boolean":
            return f'IF({node.id}="oui",1,0)'
        return node.id
    if isinstance(node, ast.UnaryOp):
        inner = _excel(node.operand)
        if isinstance(node.op, ast.Not):
            return f"NOT({inner})"
        return f"-({inner})" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return f"({_excel(node.left)}{_BINOPS[type(node.op)]}{_excel(node.right)})"
    if isinstance(node, ast.Compare):
        parts = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(f"{_excel(left)}{_CMPOPS[type(op)]}{_excel(right)}")
            left = right
        return parts[0] if len(parts) == 1 else f"AND({','.join(parts)})"
    if isinstance(node, ast.BoolOp):
        fn = "AND" if isinstance(node.op, ast.And) else "OR"
        return f"{fn}({','.join(_excel(v) for v in node.values)})"
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name == "present":
            arg = node.args[0]
            return f"LEN({arg.id})>0" if isinstance(arg, ast.Name) else "FALSE"
        return f"{_FUNCS[name]}({','.join(_excel(a) for a in node.args)})"
    raise CatalogueError(f"Règle non traduisible en formule Excel : {ast.dump(node)}", ReasonCode.FORMULA_INVALID)


def _required_names(tree: ast.AST) -> list[str]:
    """Names that must be filled for the rule to be evaluated (those not under present())."""
    out: list[str] = []

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "present":
            return
        if isinstance(node, ast.Name):
            if node.id not in out:
                out.append(node.id)
            return
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return out


def check_formula(rule: str, level: str = "error") -> str:
    """Excel formula (with ``=``) showing OK / À corriger / Non évalué for a catalogue rule."""
    expr = parse(rule)
    body = expr.tree.body
    names = [n for n in _required_names(body) if n not in ("sum", "min", "max", "present")]
    numeric = [n for n in names if _unit(n) not in ("boolean", "text", "date")]
    other = [n for n in names if n not in numeric]
    bad = RESULT_BAD if level == "error" else RESULT_WARN
    test = f'IF({_excel(body)},"{RESULT_OK}","{bad}")'
    conds = []
    if numeric:
        conds.append(f"COUNT({','.join(numeric)})<{len(numeric)}")
    conds.extend(f"COUNTA({n})=0" for n in other)
    if not conds:
        return "=" + test
    cond = conds[0] if len(conds) == 1 else f"OR({','.join(conds)})"
    return f'=IF({cond},"{RESULT_PENDING}",{test})'
