"""The rules benchmark keeps comparing like with like (no timing is asserted here)."""

from tests.benchmarks import rules


def test_rules_benchmark_small_run_engines_agree_and_report(tmp_path):
    output = tmp_path / "rules.json"
    result = rules.run(audiences=30, visitors=300, repeat=1)
    assert result["engines_agree"] is True
    # The generated audiences are neither all-matching nor never-matching.
    assert 0 < result["matching_pairs"] < result["evaluations"]
    assert (
        result["personalize"]["evaluations_per_second"] > 0
        and result["growthbook"]["evaluations_per_second"] > 0
    )
    rules.main(["--audiences", "5", "--visitors", "50", "--repeat", "1", "--output", str(output)])
    assert '"benchmark": "rules"' in output.read_text()
