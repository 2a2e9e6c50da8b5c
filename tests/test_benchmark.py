"""The benchmark's bookkeeping: seeded splits, paired differences split by split, the targets."""
import pytest

from benchmark_splits import METHODS, draw_splits, paired, split_seeds, summarise, targets


def fake_split(best, core, fisher, raw):
    """A split's numbers: AUC as given, EER = 1 - AUC, the other measures 0.5."""
    auc = {"best_model": best, "core_network": core, "core_network_no_mirror": core,
           "fisherfaces": fisher, "raw_pixels": raw}
    return {"numbers": {m: {"auc": a, "eer": 1 - a, "one_shot": 0.5, "balanced_accuracy": 0.5}
                        for m, a in auc.items()}}


def test_splits_are_seeded_and_distinct():
    names = [f"s{k}" for k in range(1, 41)]
    splits = draw_splits(names, 12, 10, 2037)
    assert splits == draw_splits(names, 12, 10, 2037) != draw_splits(names, 12, 10, 2036)
    assert all(len(set(split)) == 10 for split in splits)
    assert len(set(split_seeds(2037, 12))) == 12


def test_targets_count_splits_and_paired_gains():
    splits = [fake_split(0.99, 0.97, 0.96, 0.95)] * 9 + [fake_split(0.95, 0.94, 0.96, 0.95)] * 3
    result = targets(splits, paired(splits))
    assert result["core network ahead of raw pixels on AUC"] == {
        "measured": 9, "limit": 10, "met": False}
    assert result["best model ahead of Fisherfaces on AUC and EER"]["measured"] == 9
    gain = result["best model's mean AUC gain over Fisherfaces"]
    assert gain["measured"] == pytest.approx((9 * 0.03 - 3 * 0.01) / 12) and gain["met"]


def test_summary_keeps_the_worst_split_of_each_method():
    splits = [fake_split(0.99, 0.97, 0.96, 0.95), fake_split(0.95, 0.90, 0.93, 0.94)]
    summary = summarise(splits)
    assert set(summary) == set(METHODS)
    assert summary["core_network"]["auc"]["worst"] == 0.90
    assert summary["core_network"]["eer"]["worst"] == pytest.approx(0.10)
    assert summary["core_network"]["auc"]["mean"] == pytest.approx(0.935)
