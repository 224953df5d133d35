"""The small formula language of the catalogue (derived indicators and consistency checks).

Grammar: numbers, indicator ids, ``+ - * /``, parentheses, comparisons (``== != < <= > >=``),
``and`` / ``or`` / ``not``, and the functions ``sum(...)``, ``min(...)``, ``max(...)``,
``present(x)``. Expressions are parsed with :mod:`ast` and evaluated vectorised over pandas
Series, never with ``eval``.

Missing-value semantics (documented in the catalogue):
- arithmetic with a missing operand gives NA (reason: missing input);
- division by zero gives NA (reason: division by zero), never 0 or inf;
- a result too large to represent (overflow) gives NA (reason: out of range), never inf;
- ``sum(...)`` ignores missing terms but is NA when every term is missing;
- a comparison with a missing operand is NA (the check is not evaluated).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit.errors import CatalogueError, ReasonCode

FUNCTIONS = frozenset({"sum", "min", "max", "present"})
_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.BoolOp, ast.And, ast.Or, ast.Not,
)

NA_DIV_ZERO = "division par zéro"
NA_MISSING = "donnée manquante"
NA_OVERFLOW = "résultat hors limites"


@dataclass(frozen=True)
class Expression:
    """A parsed, validated catalogue expression."""

    source: str
    tree: ast.Expression
    names: frozenset[str]


@cache
def parse(source: str) -> Expression:
    """Parse and validate an expression; raise CatalogueError on anything outside the grammar."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise CatalogueError(
            f"Formule invalide « {source} » : {exc.msg}.", ReasonCode.FORMULA_INVALID
        ) from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise CatalogueError(
                f"Formule invalide « {source} » : élément non autorisé ({type(node).__name__}).",
                ReasonCode.FORMULA_INVALID,
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise CatalogueError(
                    f"Formule invalide « {source} » : seules les fonctions {', '.join(sorted(FUNCTIONS))} "
                    "sont permises.",
                    ReasonCode.FORMULA_INVALID,
                )
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise CatalogueError(
                f"Formule invalide « {source} » : seules les constantes numériques sont permises.",
                ReasonCode.FORMULA_INVALID,
            )
    # function names are Name nodes too
    call_names = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return Expression(source=source, tree=tree, names=frozenset(names - call_names))


@dataclass(frozen=True)
class Result:
    """Vectorised result: values (float, NaN where NA) and the NA reason per row ('' when ok)."""

    values: pd.Series
    reasons: pd.Series


def evaluate(expr: Expression | str, data: Mapping[str, pd.Series] | pd.DataFrame,
             index: pd.Index | None = None) -> Result:
    """Evaluate an expression over columns (Series aligned on one index)."""
    if isinstance(expr, str):
        expr = parse(expr)
    if index is None:
        index = data.index if isinstance(data, pd.DataFrame) else next(iter(data.values())).index
    ev = _Evaluator(data, index)
    raw_values, raw_reasons = ev.visit(expr.tree.body)
    values = pd.Series(raw_values, index=index, dtype="float64")
    reasons = pd.Series(raw_reasons, index=index, dtype="object").where(values.isna(), "")
    return Result(values=values, reasons=reasons.fillna(NA_MISSING))


class _Evaluator:
    def __init__(self, data: Mapping[str, pd.Series] | pd.DataFrame, index: pd.Index) -> None:
        self.data = data
        self.index = index
        self.n = len(index)

    def _const(self, v: float) -> tuple[np.ndarray, np.ndarray]:
        return np.full(self.n, float(v)), np.full(self.n, "", dtype=object)

    def visit(self, node: ast.AST) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, ast.Constant):
            return self._const(cast(float, node.value))  # parse() admits numeric constants only
        if isinstance(node, ast.Name):
            if node.id in self.data:
                col = pd.to_numeric(pd.Series(self.data[node.id]).reindex(self.index), errors="coerce")
                vals = col.to_numpy(dtype="float64", na_value=np.nan)
            else:
                vals = np.full(self.n, np.nan)
            reasons = np.where(np.isnan(vals), f"{NA_MISSING} : {node.id}", "").astype(object)
            return vals, reasons
        if isinstance(node, ast.UnaryOp):
            v, r = self.visit(node.operand)
            if isinstance(node.op, ast.USub):
                return -v, r
            if isinstance(node.op, ast.Not):
                return np.where(np.isnan(v), np.nan, (v == 0).astype(float)), r
            return v, r
        if isinstance(node, ast.BinOp):
            a, ra = self.visit(node.left)
            b, rb = self.visit(node.right)
            reasons = np.where(ra != "", ra, rb).astype(object)
            with np.errstate(all="ignore"):
                if isinstance(node.op, ast.Add):
                    out = a + b
                elif isinstance(node.op, ast.Sub):
                    out = a - b
                elif isinstance(node.op, ast.Mult):
                    out = a * b
                else:
                    zero = (b == 0) & ~np.isnan(a)
                    out = np.where(b == 0, np.nan, a / np.where(b == 0, 1, b))
                    reasons = np.where(zero & (reasons == ""), NA_DIV_ZERO, reasons).astype(object)
            overflow = np.isinf(out)
            if overflow.any():
                out = np.where(overflow, np.nan, out)
                reasons = np.where(overflow & (reasons == ""), NA_OVERFLOW, reasons).astype(object)
            return out, reasons
        if isinstance(node, ast.Compare):
            left, rl = self.visit(node.left)
            out = np.ones(self.n)
            reasons = rl
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right, rr = self.visit(comp)
                reasons = np.where(reasons != "", reasons, rr).astype(object)
                tol = 1e-9
                res = {
                    ast.Eq: np.abs(left - right) <= tol,
                    ast.NotEq: np.abs(left - right) > tol,
                    ast.Lt: left < right - tol,
                    ast.LtE: left <= right + tol,
                    ast.Gt: left > right + tol,
                    ast.GtE: left >= right - tol,
                }[type(op)]
                nan = np.isnan(left) | np.isnan(right)
                out = np.where(nan | np.isnan(out), np.nan, out * res)
                left = right
            return out, reasons
        if isinstance(node, ast.BoolOp):
            parts = [self.visit(v) for v in node.values]
            vals = np.vstack([p[0] for p in parts])
            if isinstance(node.op, ast.And):
                any_false = np.any(vals == 0, axis=0)
                any_nan = np.any(np.isnan(vals), axis=0)
                out = np.where(any_false, 0.0, np.where(any_nan, np.nan, 1.0))
            else:
                any_true = np.any(vals == 1, axis=0)
                any_nan = np.any(np.isnan(vals), axis=0)
                out = np.where(any_true, 1.0, np.where(any_nan, np.nan, 0.0))
            reasons = parts[0][1]
            for p in parts[1:]:
                reasons = np.where(reasons != "", reasons, p[1]).astype(object)
            return out, reasons
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name == "present":
                arg = node.args[0]
                if isinstance(arg, ast.Name) and arg.id in self.data:
                    col = pd.Series(self.data[arg.id]).reindex(self.index)
                    ok = col.notna() & (col.astype("string").str.strip() != "")
                    return ok.fillna(False).to_numpy(dtype=float), np.full(self.n, "", dtype=object)
                return np.zeros(self.n), np.full(self.n, "", dtype=object)
            parts = [self.visit(a) for a in node.args]
            vals = np.vstack([p[0] for p in parts])
            all_nan = np.all(np.isnan(vals), axis=0)
            with np.errstate(all="ignore"):
                if name == "sum":
                    out = np.where(all_nan, np.nan, np.nansum(vals, axis=0))
                elif name == "min":
                    out = np.where(all_nan, np.nan, np.nanmin(np.where(np.isnan(vals), np.inf, vals), axis=0))
                else:
                    out = np.where(all_nan, np.nan, np.nanmax(np.where(np.isnan(vals), -np.inf, vals), axis=0))
            reasons = np.where(all_nan, parts[0][1], "").astype(object)
            overflow = np.isinf(out)
            if overflow.any():
                out = np.where(overflow, np.nan, out)
                reasons = np.where(overflow & (reasons == ""), NA_OVERFLOW, reasons).astype(object)
            return out, reasons
        raise CatalogueError(f"Élément de formule non pris en charge : {ast.dump(node)}",
                             ReasonCode.FORMULA_INVALID)
