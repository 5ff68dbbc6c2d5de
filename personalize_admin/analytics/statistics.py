"""The statistics of an A/B version: pure functions over counts, no Django.

- ``conversion_rate(conversions, impressions)``.
- ``relative_uplift(control, variant)``: the variant's conversion rate relative
  to the control's, ``p_v / p_c - 1``, with a confidence interval by the Katz
  log method for a ratio of two proportions (Katz, Baptista, Azen & Pike,
  *Biometrics* 34, 1978): ``ln(p_v / p_c) ± z · sqrt(1/c_v - 1/n_v + 1/c_c - 1/n_c)``,
  then exponentiated. Undefined (``None``) while either side has no conversion.
- ``probabilities_to_be_best(arms)``: for each variant, the probability that
  its true conversion rate is the highest, under independent
  ``Beta(1 + conversions, 1 + non-conversions)`` posteriors (a uniform prior).
  ``P_i = ∫ f_i(x) ∏_{j≠i} F_j(x) dx`` is integrated numerically (trapezoids) on
  a grid that is fine inside every posterior's own central mass, so narrow
  posteriors (millions of impressions) are resolved as well as wide ones; each
  ``F_j`` is integrated from its density on the same grid.
- ``evaluate(arms, days_running)``: all of the above plus the verdict: "not
  enough data yet" until *every* variant has ``MIN_IMPRESSIONS`` impressions
  and ``MIN_CONVERSIONS`` conversions; a winner once that holds, the leader's
  probability to be best is at least ``WINNER_PROBABILITY`` and the version
  has run ``MIN_DAYS`` days.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import special

MIN_IMPRESSIONS = 1_000
MIN_CONVERSIONS = 30
MIN_DAYS = 14
WINNER_PROBABILITY = 0.95
CONFIDENCE = 0.95
# Grid points inside each posterior's central mass (1e-10 … 1 - 1e-10), shared out
# so that many variants cost no more than two: 4,000 each for two (error < 1e-6),
# at least 401 each for twenty (error < 1e-4).
GRID_BUDGET = 8_000
MIN_GRID_POINTS = 401
TAIL = 1e-10


class Verdict(StrEnum):
    NOT_ENOUGH_DATA = "NOT_ENOUGH_DATA"
    NO_WINNER_YET = "NO_WINNER_YET"
    WINNER = "WINNER"


@dataclass(frozen=True)
class Arm:
    """One variant's counts: unique impressions and unique conversions."""

    impressions: int
    conversions: int

    def __post_init__(self):
        if self.impressions < 0 or self.conversions < 0:
            raise ValueError("Counts cannot be negative.")


@dataclass(frozen=True)
class Uplift:
    value: float  # relative: 0.12 is +12 %
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ArmResult:
    conversion_rate: float | None
    uplift: Uplift | None  # None for the control and while undefined
    probability_to_be_best: float
    is_leader: bool
    is_winner: bool


@dataclass(frozen=True)
class Evaluation:
    arms: tuple  # ArmResult, in the order given (the first is the control)
    verdict: Verdict
    leader: int | None  # index of the arm most likely to be best
    winner: int | None
    enough_data: bool
    days_running: int


def conversion_rate(conversions, impressions):
    """``conversions / impressions``, or ``None`` without impressions."""
    if impressions <= 0:
        return None
    return conversions / impressions


def _z(confidence):
    return float(special.ndtri(0.5 + confidence / 2))


def relative_uplift(control, variant, confidence=CONFIDENCE):
    """The variant's conversion rate relative to the control's, with the Katz log
    interval; ``None`` when the control's rate is 0 or either has no impressions.
    The interval is ``(None, None)`` while the variant has no conversion either."""
    p_control = conversion_rate(control.conversions, control.impressions)
    p_variant = conversion_rate(variant.conversions, variant.impressions)
    if p_control is None or p_variant is None or p_control == 0:
        return None
    value = p_variant / p_control - 1
    if variant.conversions == 0:
        return Uplift(value, None, None)
    standard_error = math.sqrt(
        1 / variant.conversions
        - 1 / variant.impressions
        + 1 / control.conversions
        - 1 / control.impressions
    )
    spread = _z(confidence) * standard_error
    log_ratio = math.log(p_variant / p_control)
    return Uplift(value, math.exp(log_ratio - spread) - 1, math.exp(log_ratio + spread) - 1)


def _posteriors(arms):
    alpha = np.array([1.0 + arm.conversions for arm in arms])
    beta = np.array([1.0 + max(arm.impressions - arm.conversions, 0) for arm in arms])
    return alpha, beta


def probabilities_to_be_best(arms):
    """``[P(arm i has the highest conversion rate)]`` under Beta(1 + c, 1 + n - c)
    posteriors; the probabilities sum to 1."""
    arms = list(arms)
    if not arms:
        return []
    if len(arms) == 1:
        return [1.0]
    alpha, beta = _posteriors(arms)
    # Identical posteriors are exchangeable: exactly equal chances.
    if np.all(alpha == alpha[0]) and np.all(beta == beta[0]):
        return [1.0 / len(arms)] * len(arms)
    points = max(MIN_GRID_POINTS, GRID_BUDGET // len(arms))
    low = special.betaincinv(alpha, beta, TAIL)
    high = special.betaincinv(alpha, beta, 1 - TAIL)
    grid = np.unique(
        np.concatenate(
            [np.linspace(lo, hi, points) for lo, hi in zip(low, high, strict=True)]
            + [np.array([0.0, 1.0])]
        )
    )
    x = grid[:, None]
    log_pdf = (
        special.xlogy(alpha - 1, x) + special.xlog1py(beta - 1, -x) - special.betaln(alpha, beta)
    )
    pdf = np.exp(log_pdf)
    # Each CDF integrated from its density on the same grid (the grid is dense where
    # each density lives), rather than by the incomplete beta function, whose cost
    # grows with the counts: the answer then costs the same for 100 or 10⁷ impressions.
    widths = np.diff(grid)[:, None]
    cdf = np.vstack(
        [np.zeros((1, len(arms))), np.cumsum((pdf[1:] + pdf[:-1]) / 2 * widths, axis=0)]
    )
    cdf /= cdf[-1]
    # ∏_{j≠i} F_j from prefix and suffix products: no division, so no 0 / 0.
    ones = np.ones((len(grid), 1))
    prefix = np.cumprod(np.hstack([ones, cdf[:, :-1]]), axis=1)
    suffix = np.cumprod(np.hstack([ones, cdf[:, :0:-1]]), axis=1)[:, ::-1]
    others = prefix * suffix
    integrand = pdf * others
    probabilities = ((integrand[1:] + integrand[:-1]) / 2 * widths).sum(axis=0)
    probabilities = np.clip(probabilities, 0.0, None)
    total = probabilities.sum()
    return [float(p / total) for p in probabilities]


def has_enough_data(arms, *, min_impressions=MIN_IMPRESSIONS, min_conversions=MIN_CONVERSIONS):
    """Every variant has at least ``min_impressions`` impressions and ``min_conversions`` conversions."""
    arms = list(arms)
    return bool(arms) and all(
        arm.impressions >= min_impressions and arm.conversions >= min_conversions for arm in arms
    )


def evaluate(
    arms,
    *,
    days_running,
    min_impressions=MIN_IMPRESSIONS,
    min_conversions=MIN_CONVERSIONS,
    min_days=MIN_DAYS,
    winner_probability=WINNER_PROBABILITY,
    confidence=CONFIDENCE,
):
    """Rates, uplifts against the first arm (the control), probabilities to be
    best and the verdict for the variants of one A/B version and one metric."""
    arms = list(arms)
    probabilities = probabilities_to_be_best(arms)
    enough = has_enough_data(arms, min_impressions=min_impressions, min_conversions=min_conversions)
    leader = None
    if arms and any(arm.impressions for arm in arms):
        best = max(probabilities)
        # A tie has no leader: nothing to call.
        if sum(1 for p in probabilities if math.isclose(p, best, abs_tol=1e-12)) == 1:
            leader = probabilities.index(best)
    winner = None
    if (
        enough
        and leader is not None
        and probabilities[leader] >= winner_probability
        and days_running >= min_days
    ):
        winner = leader
    if not enough:
        verdict = Verdict.NOT_ENOUGH_DATA
    elif winner is None:
        verdict = Verdict.NO_WINNER_YET
    else:
        verdict = Verdict.WINNER
    results = []
    for index, arm in enumerate(arms):
        results.append(
            ArmResult(
                conversion_rate=conversion_rate(arm.conversions, arm.impressions),
                uplift=None if index == 0 else relative_uplift(arms[0], arm, confidence),
                probability_to_be_best=probabilities[index],
                is_leader=index == leader,
                is_winner=index == winner,
            )
        )
    return Evaluation(
        arms=tuple(results),
        verdict=verdict,
        leader=leader,
        winner=winner,
        enough_data=enough,
        days_running=days_running,
    )
