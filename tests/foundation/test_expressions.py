"""The catalogue's formula evaluator: NA semantics (never 0, inf or an exception) and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_toolkit import catalogue
from cpc_toolkit.catalogue.expressions import NA_DIV_ZERO, NA_MISSING, NA_OVERFLOW, evaluate, parse
from cpc_toolkit.errors import CatalogueError, ReasonCode

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
maybe = st.one_of(finite, st.just(float("nan")))


def frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, dtype="float64")


def test_division_by_zero_is_na_with_reason():
    res = evaluate("100 * a / b", frame(a=[5.0, 0.0, 3.0], b=[0.0, 0.0, 4.0]))
    assert res.values.isna().tolist() == [True, True, False]
    assert res.values.iloc[2] == 75.0
    assert res.reasons.tolist() == [NA_DIV_ZERO, NA_DIV_ZERO, ""]
    assert not np.isinf(res.values.fillna(0)).any()


def test_missing_input_is_na_with_reason_naming_it():
    res = evaluate("a + b", frame(a=[1.0, float("nan")], b=[2.0, 3.0]))
    assert res.values.iloc[0] == 3.0
    assert math.isnan(res.values.iloc[1])
    assert res.reasons.iloc[1] == f"{NA_MISSING} : a"
    # a column absent from the data is missing everywhere, not an exception
    res = evaluate("a / absent", frame(a=[1.0, 2.0]))
    assert res.values.isna().all()
    assert set(res.reasons) == {f"{NA_MISSING} : absent"}


def test_overflow_is_na_not_inf():
    res = evaluate("a / b", frame(a=[1e300], b=[1e-300]))
    assert math.isnan(res.values.iloc[0])
    assert res.reasons.iloc[0] == NA_OVERFLOW


def test_missing_dominates_division_by_zero_reason():
    res = evaluate("a / b", frame(a=[float("nan")], b=[0.0]))
    assert math.isnan(res.values.iloc[0])
    assert res.reasons.iloc[0] == f"{NA_MISSING} : a"


def test_sum_min_max_ignore_missing_terms_but_not_all():
    df = frame(a=[1.0, float("nan"), float("nan")], b=[2.0, 5.0, float("nan")])
    assert evaluate("sum(a, b)", df).values.iloc[:2].tolist() == [3.0, 5.0]
    assert math.isnan(evaluate("sum(a, b)", df).values.iloc[2])
    assert evaluate("min(a, b)", df).values.iloc[:2].tolist() == [1.0, 5.0]
    assert evaluate("max(a, b)", df).values.iloc[:2].tolist() == [2.0, 5.0]


def test_comparisons_and_booleans():
    df = frame(a=[1.0, 2.0, float("nan")], b=[1.0, 1.0, 1.0])
    assert evaluate("a <= b", df).values.iloc[:2].tolist() == [1.0, 0.0]
    assert math.isnan(evaluate("a <= b", df).values.iloc[2])
    # « or » is true as soon as one side is true, even if the other is missing
    assert evaluate("b == 1 or a > 5", df).values.tolist() == [1.0, 1.0, 1.0]
    assert evaluate("a == 2 and b == 1", df).values.iloc[:2].tolist() == [0.0, 1.0]
    txt = pd.DataFrame({"d": ["2025-09-01", None, " "]})
    assert evaluate("present(d)", txt).values.tolist() == [1.0, 0.0, 0.0]


def test_evaluate_does_not_mutate_its_input():
    df = frame(a=[1.0, 0.0], b=[0.0, 2.0])
    before = df.copy(deep=True)
    evaluate("a / b + sum(a, b)", df)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("source", [
    "__import__('os').system('true')", "a.b", "a[0]", "lambda: 1", "open('x')", "'texte'", "a ** 2",
    "a +", "f(a)",
])
def test_parse_rejects_anything_outside_the_grammar(source):
    with pytest.raises(CatalogueError) as info:
        parse(source)
    assert info.value.reason == ReasonCode.FORMULA_INVALID
    assert "Formule invalide" in info.value.message


def test_every_catalogue_formula_evaluates_on_zeros_without_inf():
    ids = [i.id for i in catalogue.indicators() if i.numeric]
    zeros = pd.DataFrame({i: [0.0] for i in ids})
    for ind in catalogue.indicators(kind="derived"):
        res = evaluate(ind.expression, zeros)
        v = res.values.iloc[0]
        assert not (isinstance(v, float) and math.isinf(v)), ind.id
        if math.isnan(v):
            assert res.reasons.iloc[0] == NA_DIV_ZERO, ind.id


@settings(max_examples=150, deadline=None)
@given(a=st.lists(maybe, min_size=1, max_size=20), data=st.data())
def test_ratio_property(a, data):
    b = data.draw(st.lists(maybe, min_size=len(a), max_size=len(a)))
    res = evaluate("100 * a / b", frame(a=a, b=b))
    for x, y, v, r in zip(a, b, res.values, res.reasons, strict=True):
        assert not math.isinf(v)
        if math.isnan(x) or math.isnan(y):
            assert math.isnan(v) and r.startswith(NA_MISSING)
        elif y == 0:
            assert math.isnan(v) and r == NA_DIV_ZERO
        else:
            with np.errstate(all="ignore"):
                expected = np.float64(100) * np.float64(x) / np.float64(y)
            if np.isinf(expected):
                assert math.isnan(v) and r == NA_OVERFLOW
            else:
                assert r == ""
                assert v == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(cols=st.lists(st.lists(maybe, min_size=5, max_size=5), min_size=1, max_size=4))
def test_sum_property(cols):
    names = [f"x{i}" for i in range(len(cols))]
    df = frame(**dict(zip(names, cols, strict=True)))
    res = evaluate(f"sum({', '.join(names)})", df)
    for row in range(5):
        terms = [c[row] for c in cols if not math.isnan(c[row])]
        v = res.values.iloc[row]
        if terms:
            assert v == pytest.approx(sum(terms), rel=1e-9, abs=1e-6)
            assert res.reasons.iloc[row] == ""
        else:
            assert math.isnan(v) and res.reasons.iloc[row].startswith(NA_MISSING)


@settings(max_examples=100, deadline=None)
@given(x=maybe, y=maybe, z=maybe)
def test_arithmetic_property_never_raises_and_na_has_reason(x, y, z):
    res = evaluate("(x - y) * z / (y + 1) + min(x, z)", frame(x=[x], y=[y], z=[z]))
    v = res.values.iloc[0]
    assert not math.isinf(v)
    if math.isnan(v):
        assert res.reasons.iloc[0] != ""
    else:
        assert res.reasons.iloc[0] == ""
