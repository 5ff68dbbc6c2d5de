"""The A/B statistics against values known in closed form or computed by hand."""

import math

import numpy as np
import pytest

from personalize_admin.analytics import statistics
from personalize_admin.analytics.statistics import Arm, Verdict


def _log_beta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def closed_form_b_beats_a(a, b):
    """P(p_B > p_A) for Beta(1 + c, 1 + n - c) posteriors, exactly (Evan Miller's
    formula, a finite sum over the successes of B)."""
    alpha_a, beta_a = 1 + a.conversions, 1 + a.impressions - a.conversions
    alpha_b, beta_b = 1 + b.conversions, 1 + b.impressions - b.conversions
    return sum(
        math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - _log_beta(1 + i, beta_b)
            - _log_beta(alpha_a, beta_a)
        )
        for i in range(alpha_b)
    )


def test_conversion_rate_is_conversions_over_impressions():
    assert statistics.conversion_rate(30, 1200) == pytest.approx(0.025)
    assert statistics.conversion_rate(0, 0) is None


def test_probability_to_be_best_uniform_against_beta_2_1_is_two_thirds():
    # Beta(1, 1) is uniform; Beta(2, 1) has density 2x: P = ∫ 2x · x dx = 2/3.
    assert statistics.probabilities_to_be_best([Arm(0, 0), Arm(1, 1)]) == pytest.approx(
        [1 / 3, 2 / 3], abs=1e-6
    )


def test_probability_to_be_best_beta_2_1_against_beta_1_2_is_five_sixths():
    # ∫ 2x · (2x - x²) dx over [0, 1] = 4/3 - 1/2 = 5/6.
    assert statistics.probabilities_to_be_best([Arm(1, 1), Arm(1, 0)]) == pytest.approx(
        [5 / 6, 1 / 6], abs=1e-6
    )


@pytest.mark.parametrize(
    ("control", "variant"),
    [
        (Arm(1_000, 30), Arm(1_000, 45)),
        (Arm(100, 3), Arm(100_000, 4_000)),
        (Arm(50, 0), Arm(50, 2)),
        (Arm(20_000, 900), Arm(21_000, 980)),
        (Arm(10, 9), Arm(5_000, 4_000)),
        (Arm(2_000_000, 80_000), Arm(2_000_000, 80_600)),
    ],
)
def test_probability_to_be_best_of_two_matches_the_closed_form(control, variant):
    expected = closed_form_b_beats_a(control, variant)

    result = statistics.probabilities_to_be_best([control, variant])

    assert result[1] == pytest.approx(expected, abs=1e-5)
    assert sum(result) == pytest.approx(1.0)


def test_probability_to_be_best_of_identical_variants_is_shared_equally():
    assert statistics.probabilities_to_be_best([Arm(500, 20)] * 4) == [0.25] * 4


def test_probability_to_be_best_of_three_matches_a_seeded_simulation():
    arms = [Arm(1_000, 30), Arm(1_000, 45), Arm(900, 40)]
    rng = np.random.default_rng(7)
    draws = np.column_stack(
        [rng.beta(1 + a.conversions, 1 + a.impressions - a.conversions, 400_000) for a in arms]
    )
    simulated = np.bincount(draws.argmax(axis=1), minlength=3) / len(draws)

    result = statistics.probabilities_to_be_best(arms)

    assert result == pytest.approx(simulated.tolist(), abs=0.004)


def test_probability_to_be_best_of_one_variant_is_certain():
    assert statistics.probabilities_to_be_best([Arm(10, 1)]) == [1.0]
    assert statistics.probabilities_to_be_best([]) == []


def test_relative_uplift_has_the_katz_log_interval():
    # 12 % against 10 %: ln(1.2) ± 1.96 · sqrt(1/120 - 1/1000 + 1/100 - 1/1000),
    # computed by hand: [-6.589 %, +54.158 %].
    uplift = statistics.relative_uplift(Arm(1_000, 100), Arm(1_000, 120))

    assert uplift.value == pytest.approx(0.20)
    assert uplift.low == pytest.approx(-0.0658942, abs=1e-6)
    assert uplift.high == pytest.approx(0.5415813, abs=1e-6)


def test_relative_uplift_is_undefined_without_control_conversions():
    assert statistics.relative_uplift(Arm(1_000, 0), Arm(1_000, 5)) is None
    assert statistics.relative_uplift(Arm(0, 0), Arm(1_000, 5)) is None


def test_relative_uplift_without_variant_conversions_has_no_interval():
    uplift = statistics.relative_uplift(Arm(1_000, 10), Arm(1_000, 0))

    assert uplift.value == pytest.approx(-1.0)
    assert (uplift.low, uplift.high) == (None, None)


def test_evaluate_below_the_thresholds_is_not_enough_data():
    # A clear leader, but the control has 29 conversions.
    arms = [Arm(5_000, 29), Arm(5_000, 120)]

    result = statistics.evaluate(arms, days_running=30)

    assert result.verdict == Verdict.NOT_ENOUGH_DATA
    assert result.leader == 1 and result.winner is None
    assert not any(arm.is_winner for arm in result.arms)


def test_evaluate_needs_a_thousand_impressions_per_variant():
    result = statistics.evaluate([Arm(999, 100), Arm(5_000, 900)], days_running=30)

    assert result.verdict == Verdict.NOT_ENOUGH_DATA


def test_evaluate_calls_a_winner_at_ninety_five_percent_after_fourteen_days():
    arms = [Arm(2_000, 60), Arm(2_000, 100)]

    result = statistics.evaluate(arms, days_running=14)

    assert result.arms[1].probability_to_be_best >= 0.95
    assert result.verdict == Verdict.WINNER
    assert result.winner == 1 and result.arms[1].is_winner
    assert result.arms[0].uplift is None
    assert result.arms[1].uplift.value == pytest.approx(100 / 60 - 1)


def test_evaluate_before_fourteen_days_has_no_winner_yet():
    result = statistics.evaluate([Arm(2_000, 60), Arm(2_000, 100)], days_running=13)

    assert result.verdict == Verdict.NO_WINNER_YET
    assert result.leader == 1 and result.winner is None


def test_evaluate_below_ninety_five_percent_has_no_winner_yet():
    arms = [Arm(2_000, 60), Arm(2_000, 66)]

    result = statistics.evaluate(arms, days_running=40)

    assert result.arms[1].probability_to_be_best < 0.95
    assert result.verdict == Verdict.NO_WINNER_YET


def test_evaluate_the_control_can_win():
    result = statistics.evaluate([Arm(3_000, 150), Arm(3_000, 90)], days_running=20)

    assert result.winner == 0 and result.arms[0].is_winner
    assert result.arms[1].uplift.value == pytest.approx(-0.4)


def test_evaluate_without_impressions_has_no_leader():
    result = statistics.evaluate([Arm(0, 0), Arm(0, 0)], days_running=0)

    assert result.leader is None
    assert [arm.conversion_rate for arm in result.arms] == [None, None]
    assert [arm.probability_to_be_best for arm in result.arms] == [0.5, 0.5]


def test_arm_refuses_negative_counts():
    with pytest.raises(ValueError):
        Arm(-1, 0)
