"""Small dense least squares in pure Python (numpy and scipy are not in the bundle).

* :func:`linear_lstsq` solves min ‖A x − b‖ by Householder QR, which stays accurate when
  the columns are nearly dependent (normal equations would square the condition number);
* :func:`levenberg_marquardt` refines a nonlinear model from a good start, with the
  parameters' standard errors from the final Jacobian (σ² (JᵀJ)⁻¹);
* :func:`solve` and :func:`inverse` handle the few-by-few systems those need.

Sizes here are a handful of parameters and up to a few thousand points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Matrix = list[list[float]]
Vector = list[float]


class FitError(ValueError):
    """The data cannot determine the parameters (rank-deficient, or no convergence)."""


def linear_lstsq(a: Sequence[Sequence[float]], b: Sequence[float]) -> Vector:
    """The least-squares solution of ``a x ≈ b`` (``a`` is m×n with m ≥ n)."""
    m, n = len(a), len(a[0]) if a else 0
    if m < n or n == 0:
        raise FitError("fewer equations than unknowns")
    r = [list(map(float, row)) for row in a]
    y = [float(v) for v in b]
    scale = max(abs(v) for row in r for v in row) or 1.0
    for k in range(n):
        norm = math.sqrt(sum(r[i][k] ** 2 for i in range(k, m)))
        if norm <= 1e-13 * scale:
            raise FitError("the columns are linearly dependent")
        alpha = -norm if r[k][k] >= 0 else norm
        v = [0.0] * m
        v[k] = r[k][k] - alpha
        for i in range(k + 1, m):
            v[i] = r[i][k]
        vv = sum(v[i] ** 2 for i in range(k, m))
        if vv == 0:
            continue
        for j in range(k, n):
            s = sum(v[i] * r[i][j] for i in range(k, m)) * 2 / vv
            for i in range(k, m):
                r[i][j] -= s * v[i]
        s = sum(v[i] * y[i] for i in range(k, m)) * 2 / vv
        for i in range(k, m):
            y[i] -= s * v[i]
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        x[i] = (y[i] - sum(r[i][j] * x[j] for j in range(i + 1, n))) / r[i][i]
    return x


def solve(m: Matrix, b: Vector) -> Vector:
    """``m x = b`` for a small square system (Gaussian elimination, partial pivoting)."""
    n = len(m)
    aug = [list(row) + [b[i]] for i, row in enumerate(m)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(aug[r][col]))
        if abs(aug[pivot][col]) < 1e-300:
            raise FitError("singular system")
        aug[col], aug[pivot] = aug[pivot], aug[col]
        for r in range(col + 1, n):
            f = aug[r][col] / aug[col][col]
            for c in range(col, n + 1):
                aug[r][c] -= f * aug[col][c]
    x = [0.0] * n
    for i in range(n - 1, -1, -1):
        x[i] = (aug[i][n] - sum(aug[i][j] * x[j] for j in range(i + 1, n))) / aug[i][i]
    return x


def inverse(m: Matrix) -> Matrix:
    n = len(m)
    columns = [solve(m, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[columns[j][i] for j in range(n)] for i in range(n)]


@dataclass(frozen=True)
class Fit:
    params: Vector
    errors: Vector  # standard errors (NaN when there are no degrees of freedom left)
    residuals: Vector  # data − model
    iterations: int


def levenberg_marquardt(
    model: Callable[[Vector], Vector],
    jacobian: Callable[[Vector], Matrix],
    data: Sequence[float],
    start: Sequence[float],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-12,
) -> Fit:
    """Minimise Σ (data − model(p))² from ``start`` (damped Gauss–Newton steps).

    The damping λ scales the diagonal of JᵀJ (Marquardt), so parameters of very
    different sizes (eV and Å³) are treated alike.
    """
    p = [float(v) for v in start]
    n = len(p)

    def residuals(q: Vector) -> Vector:
        return [d - f for d, f in zip(data, model(q), strict=True)]

    res = residuals(p)
    cost = sum(r * r for r in res)
    lam = 1e-3
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported in the Fit
        jac = jacobian(p)
        jtj = [[sum(row[i] * row[j] for row in jac) for j in range(n)] for i in range(n)]
        jtr = [sum(row[i] * r for row, r in zip(jac, res, strict=True)) for i in range(n)]
        improved = False
        while lam < 1e12:
            damped = [
                [jtj[i][j] + (lam * jtj[i][i] if i == j else 0.0) for j in range(n)]
                for i in range(n)
            ]
            try:
                step = solve(damped, jtr)
            except FitError:
                lam *= 10
                continue
            trial = [a + b for a, b in zip(p, step, strict=True)]
            trial_res = residuals(trial)
            trial_cost = sum(r * r for r in trial_res)
            if math.isfinite(trial_cost) and trial_cost <= cost:
                small = all(
                    abs(s) <= tolerance * (abs(a) + tolerance) for s, a in zip(step, p, strict=True)
                )
                drop = cost - trial_cost
                p, res, cost = trial, trial_res, trial_cost
                lam = max(lam / 10, 1e-15)
                improved = True
                if small or drop <= tolerance * tolerance * (1 + cost):
                    return _finish(p, res, cost, jacobian, iterations)
                break
            lam *= 10
        if not improved:
            return _finish(p, res, cost, jacobian, iterations)
    raise FitError("the fit did not converge")


def _finish(
    p: Vector, res: Vector, cost: float, jacobian: Callable[[Vector], Matrix], iterations: int
) -> Fit:
    n, m = len(p), len(res)
    dof = m - n
    errors = [math.nan] * n
    if dof > 0:
        jac = jacobian(p)
        jtj = [[sum(row[i] * row[j] for row in jac) for j in range(n)] for i in range(n)]
        try:
            cov = inverse(jtj)
            sigma2 = cost / dof
            errors = [math.sqrt(max(cov[i][i], 0.0) * sigma2) for i in range(n)]
        except FitError:
            pass
    return Fit(params=p, errors=errors, residuals=res, iterations=iterations)
