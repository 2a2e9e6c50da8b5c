"""The multi-split benchmark script's bookkeeping, with the notebook replaced by a stand-in that writes metrics."""
import json
import sys

import pytest

import benchmark_splits as bench

NAMES = [f"s{n}" for n in range(1, 13)]


def fake_metrics(split, network_auc=0.99, fisher_auc=0.95):
    """A metrics.json like the notebook's, with chosen AUCs and fixed other numbers."""
    def method(auc, eer, one_shot, balanced):
        return {"auc": auc, "eer": eer, "one_shot": one_shot, "balanced_accuracy": balanced}
    return {"test_subjects": list(split), "train_seconds": 50.0,
            "methods": {"siamese_network": method(network_auc, 0.05, 0.93, 0.94),
                        "raw_pixels": method(0.93, 0.15, 0.80, 0.85),
                        "fisherfaces": method(fisher_auc, 0.10, 0.88, 0.89)}}


def test_splits_are_seeded_distinct_and_in_folder_order():
    splits = bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits == bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits != bench.draw_splits(NAMES, 5, 4, seed=8)
    for split in splits:
        assert len(set(split)) == 4 and split == sorted(split, key=NAMES.index)


def test_a_split_behind_fisherfaces_fails_that_target_only():
    rows = [bench.row(fake_metrics(["s1", "s2"])), bench.row(fake_metrics(["s3", "s4"], network_auc=0.94))]
    checks = dict(bench.check_targets(rows, bench.summarise(rows), [50, 60], [90, 100]))
    assert not checks["network ahead of Fisherfaces on AUC and EER on every split"]
    assert checks["network ahead of raw pixels on AUC, EER and one-shot on every split"]
    assert checks["balanced accuracy at the pre-chosen threshold >= (1 - EER) - 0.02 on every split"]
    assert not checks["goal: worst split AUC >= 0.98"]


def test_summary_reports_the_mean_and_the_worst_split():
    rows = [bench.row(fake_metrics(["s1", "s2"], network_auc=0.99)),
            bench.row(fake_metrics(["s3", "s4"], network_auc=0.95))]
    network = bench.summarise(rows)["siamese_network"]
    assert network["mean"]["auc"] == pytest.approx(0.97) and network["worst"]["auc"] == 0.95


@pytest.fixture
def stand_in(monkeypatch):
    """Replace the notebook run by a stand-in that records its parameters and writes metrics.json."""
    calls = []

    def execute(output_dir, **parameters):
        calls.append(parameters)
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "metrics.json").write_text(json.dumps(fake_metrics(parameters["TEST_SUBJECTS"])))
        return output_dir
    monkeypatch.setattr(bench, "execute_notebook", execute)
    monkeypatch.setattr(bench, "identity_names", lambda data_dir: NAMES)
    return calls


def test_benchmark_runs_with_sanity_checks_off_and_writes_its_summary(stand_in, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["benchmark_splits.py", "--splits", "3", "--people", "4", "--out", str(tmp_path),
                                      "-p", "EPOCHS", "2"])
    bench.main()
    assert len(stand_in) == 3
    assert all(c["SANITY_CHECKS"] is False and c["EPOCHS"] == 2 for c in stand_in)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["splits"] == [c["TEST_SUBJECTS"] for c in stand_in]
    assert all((tmp_path / f"split-{n:02d}" / "wall_seconds.txt").is_file() for n in (1, 2, 3))
    assert (tmp_path / "summary.md").read_text().count("\n") == 2 + 3 + 2


def test_resume_reads_back_finished_splits_and_reruns_others(stand_in, tmp_path):
    bench.run_split(["s1", "s2"], tmp_path / "a", {})
    metrics, _ = bench.run_split(["s1", "s2"], tmp_path / "a", {}, resume=True)
    assert len(stand_in) == 1 and metrics["test_subjects"] == ["s1", "s2"]
    bench.run_split(["s3", "s4"], tmp_path / "a", {}, resume=True)  # a different split in that folder: run it
    assert len(stand_in) == 2
    bench.run_split(["s3", "s4"], tmp_path / "a", {}, resume=False)  # without resume: always run
    assert len(stand_in) == 3


def test_threshold_rules_are_compared_by_their_gap_to_one_minus_eer():
    first, second = fake_metrics(["s1", "s2"]), fake_metrics(["s3", "s4"])  # both: EER 5 %, so 1 - EER = 95 %
    first["threshold_rules"] = {"used": {"balanced_accuracy": 0.94}, "other": {"balanced_accuracy": 0.90}}
    second["threshold_rules"] = {"used": {"balanced_accuracy": 0.95}, "other": {"balanced_accuracy": 0.94}}
    rules = bench.compare_threshold_rules([first, second])
    assert rules["used"]["within_slack"] == 2 and rules["other"]["within_slack"] == 1
    assert rules["other"]["worst_gap"] == pytest.approx(-0.05) and rules["used"]["mean_gap"] == pytest.approx(-0.005)
    assert bench.compare_threshold_rules([first, fake_metrics(["s5", "s6"])]) == {}  # an older run: no comparison
