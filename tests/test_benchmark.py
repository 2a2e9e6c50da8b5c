"""The multi-split benchmark's and the tuning harness's bookkeeping, with the notebook replaced by a stand-in."""
import json
import sys

import pytest

import benchmark_splits as bench
import tune_recipe

NAMES = [f"s{n}" for n in range(1, 13)]


def method(auc, eer, one_shot, balanced):
    """One method's entry in metrics.json."""
    return {"auc": auc, "eer": eer, "one_shot": one_shot, "balanced_accuracy": balanced, "threshold": 0.7}


def fake_metrics(split, network_auc=0.99, fisher_auc=0.95, core=None):
    """A metrics.json like the notebook's, with chosen AUCs, fixed other numbers and, if given, a core network."""
    metrics = {"test_people": list(split), "train_seconds": 50.0,
               "methods": {"siamese_network": method(network_auc, 0.05, 0.93, 0.94),
                           "raw_pixels": method(0.93, 0.15, 0.80, 0.85),
                           "fisherfaces": method(fisher_auc, 0.10, 0.88, 0.89)}}
    if core is not None:
        metrics["methods"]["core_network"] = core
    return metrics


def test_splits_are_seeded_distinct_and_in_folder_order():
    splits = bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits == bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits != bench.draw_splits(NAMES, 5, 4, seed=8)
    for split in splits:
        assert len(set(split)) == 4 and split == sorted(split, key=NAMES.index)


def test_counts_say_on_how_many_splits_each_network_is_ahead():
    good_core = method(0.97, 0.08, 0.90, 0.91)
    weak_core = method(0.92, 0.12, 0.85, 0.80)  # behind raw pixels, and 8 points short of 1 - EER
    rows = [bench.row(fake_metrics(["s1", "s2"], core=good_core)),
            bench.row(fake_metrics(["s3", "s4"], network_auc=0.94, core=weak_core)),
            bench.row(fake_metrics(["s5", "s6"], core=good_core))]
    counts = {description: (holds, total) for description, holds, total in bench.count_wins(rows)}
    assert counts["network ahead of Fisherfaces on AUC and EER"] == (2, 3)
    assert counts["network ahead of raw pixels on AUC, EER and one-shot"] == (3, 3)
    assert counts["network: balanced accuracy at the pre-chosen threshold >= (1 - EER) - 0.02"] == (3, 3)
    assert counts["core network ahead of Fisherfaces on AUC and EER"] == (2, 3)
    assert counts["core network ahead of raw pixels on AUC, EER and one-shot"] == (2, 3)
    assert counts["core network: balanced accuracy at the pre-chosen threshold >= (1 - EER) - 0.02"] == (2, 3)
    assert not any("goal" in description or "every split" in description for description in counts)


def test_older_metrics_without_a_core_network_are_summarised_without_it():
    rows = [bench.row(fake_metrics(["s1", "s2"])),
            bench.row(fake_metrics(["s3", "s4"], core=method(0.9, 0.1, 0.8, 0.8)))]
    assert "core_network" not in rows[0] and "core_network" in rows[1]
    summary = bench.summarise(rows)
    assert set(summary) == {"siamese_network", "raw_pixels", "fisherfaces"}
    assert not any(d.startswith("core") for d, _, _ in bench.count_wins(rows))
    assert "core network" not in bench.markdown_table([["s1", "s2"], ["s3", "s4"]], rows, summary, [50, 60])


def test_the_table_gets_a_core_network_column_when_every_split_has_one():
    core = method(0.96, 0.09, 0.89, 0.90)
    rows = [bench.row(fake_metrics(["s1", "s2"], core=core)), bench.row(fake_metrics(["s3", "s4"], core=core))]
    table = bench.markdown_table([["s1", "s2"], ["s3", "s4"]], rows, bench.summarise(rows), [50, 60])
    lines = table.splitlines()
    assert "core network AUC / EER / one-shot / bal. acc." in lines[0]
    assert {line.count("|") for line in lines} == {7}
    assert "0.960 / 9.0% / 89.0% / 90.0%" in lines[2]


def test_summary_reports_the_mean_and_the_worst_split():
    rows = [bench.row(fake_metrics(["s1", "s2"], network_auc=0.99)),
            bench.row(fake_metrics(["s3", "s4"], network_auc=0.95))]
    network = bench.summarise(rows)["siamese_network"]
    assert network["mean"]["auc"] == pytest.approx(0.97) and network["worst"]["auc"] == 0.95


def test_times_are_summarised_as_mean_and_longest():
    times = bench.timing([50, 70], [100, 150])
    assert times == {"training": {"mean": 60.0, "max": 70.0}, "notebook": {"mean": 125.0, "max": 150.0}}


@pytest.fixture
def stand_in(monkeypatch):
    """Replace the notebook run by a stand-in that records its parameters and writes metrics.json."""
    calls = []

    def execute(output_dir, **parameters):
        calls.append(parameters)
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "metrics.json").write_text(json.dumps(fake_metrics(parameters["TEST_PEOPLE"])))
        return output_dir
    monkeypatch.setattr(bench, "execute_notebook", execute)
    monkeypatch.setattr(bench, "identity_names", lambda data_dir: NAMES)
    monkeypatch.setattr(tune_recipe, "identity_names", lambda data_dir: NAMES)
    return calls


def test_benchmark_runs_with_sanity_checks_off_and_writes_its_summary(stand_in, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["benchmark_splits.py", "--splits", "3", "--people", "4", "--out", str(tmp_path),
                                      "-p", "EPOCHS", "2"])
    bench.main()
    assert len(stand_in) == 3
    assert all(c["SANITY_CHECKS"] is False and c["EPOCHS"] == 2 and "TEST_SUBJECTS" not in c for c in stand_in)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["seed"] == 2034
    assert summary["splits"] == [c["TEST_PEOPLE"] for c in stand_in]
    assert summary["counts"]["network ahead of Fisherfaces on AUC and EER"] == {"splits": 3, "of": 3}
    assert summary["timing"]["training"] == {"mean": 50.0, "max": 50.0}
    assert all((tmp_path / f"split-{n:02d}" / "parameters.json").is_file() for n in (1, 2, 3))
    assert (tmp_path / "summary.md").read_text().count("\n") == 2 + 3 + 2
    printed = capsys.readouterr().out
    assert "on  3 of 3 splits: network ahead of raw pixels on AUC, EER and one-shot" in printed
    assert "time (information): training mean 50 s" in printed and "goal" not in printed


def test_resume_reuses_a_split_finished_with_the_same_parameters(stand_in, tmp_path):
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2})
    metrics, _ = bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2}, resume=True)
    assert len(stand_in) == 1 and metrics["test_people"] == ["s1", "s2"]
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2}, resume=False)  # without resume: always run
    assert len(stand_in) == 2
    bench.run_split(["s3", "s4"], tmp_path / "b", {}, resume=True)  # nothing finished there yet: run it
    assert len(stand_in) == 3


@pytest.mark.parametrize("split, extra", [(["s1", "s2"], {"EPOCHS": 3}), (["s3", "s4"], {"EPOCHS": 2}),
                                          (["s1", "s2"], {"EPOCHS": 2, "MARGIN": 1.2})])
def test_resume_refuses_a_split_finished_with_other_parameters(stand_in, tmp_path, split, extra):
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2})
    with pytest.raises(ValueError, match="other parameters") as error:
        bench.run_split(split, tmp_path / "a", extra, resume=True)
    assert str(tmp_path / "a") in str(error.value) and "another --out or drop --resume" in str(error.value)
    assert len(stand_in) == 1  # nothing rerun silently


def test_resume_refuses_a_finished_split_without_parameters_json(stand_in, tmp_path):
    bench.run_split(["s1", "s2"], tmp_path / "a", {})
    (tmp_path / "a" / "parameters.json").unlink()
    with pytest.raises(ValueError, match="no parameters.json") as error:
        bench.run_split(["s1", "s2"], tmp_path / "a", {}, resume=True)
    assert str(tmp_path / "a") in str(error.value) and len(stand_in) == 1


def test_a_run_that_fails_leaves_no_parameters_json_behind(stand_in, tmp_path, monkeypatch):
    bench.run_split(["s1", "s2"], tmp_path / "a", {})

    def fail(output_dir, **parameters):
        raise RuntimeError("the notebook stopped")
    monkeypatch.setattr(bench, "execute_notebook", fail)
    with pytest.raises(RuntimeError):
        bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2})
    assert not (tmp_path / "a" / "parameters.json").exists()  # the old metrics.json can no longer pass as this run


def test_threshold_rules_are_compared_by_their_gap_to_one_minus_eer():
    first, second = fake_metrics(["s1", "s2"]), fake_metrics(["s3", "s4"])  # both: EER 5 %, so 1 - EER = 95 %
    first["threshold_rules"] = {"used": {"balanced_accuracy": 0.94}, "other": {"balanced_accuracy": 0.90}}
    second["threshold_rules"] = {"used": {"balanced_accuracy": 0.95}, "other": {"balanced_accuracy": 0.94}}
    rules = bench.compare_threshold_rules([first, second])
    assert rules["used"]["within_slack"] == 2 and rules["other"]["within_slack"] == 1
    assert rules["other"]["worst_gap"] == pytest.approx(-0.05) and rules["used"]["mean_gap"] == pytest.approx(-0.005)
    assert bench.compare_threshold_rules([first, fake_metrics(["s5", "s6"])]) == {}  # an older run: no comparison


@pytest.mark.parametrize("seed", sorted(tune_recipe.REPORT_SEEDS))
def test_the_harness_refuses_report_seeds_unless_told(seed, capsys):
    with pytest.raises(SystemExit):
        tune_recipe.parse_arguments(["--seed", str(seed)])
    assert "report seed" in capsys.readouterr().err
    assert tune_recipe.parse_arguments(["--seed", str(seed), "--i-know-this-is-a-report-seed"]).seed == seed


def test_the_harness_knows_its_seeds_and_variants(capsys):
    assert tune_recipe.REPORT_SEEDS == set(range(2028, 2035))
    assert tune_recipe.parse_arguments([]).seed == 2027 and tune_recipe.parse_arguments(["--seed", "2035"])
    with pytest.raises(SystemExit):
        tune_recipe.parse_arguments(["--variant", "no such variant"])
    assert "unknown variant" in capsys.readouterr().err
    assert len({tune_recipe.folder_name(v) for v in tune_recipe.VARIANTS}) == len(tune_recipe.VARIANTS)


def test_the_harness_runs_each_variant_in_its_own_folder_and_prints_a_table(stand_in, tmp_path, capsys):
    tune_recipe.main(["--splits", "2", "--out", str(tmp_path), "--variant", "recipe", "--variant", "margin 1.7"])
    assert [c.get("MARGIN") for c in stand_in] == [None, None, 1.7, 1.7]
    assert all(c["SANITY_CHECKS"] is False for c in stand_in)
    assert (tmp_path / "seed-2027" / "margin-1-7" / "split-02" / "parameters.json").is_file()
    printed = capsys.readouterr().out
    assert "| margin 1.7 | 0.990 | 5.0% | 93.0% | 0.990 | 2 of 2 | 2 of 2 |" in printed
    tune_recipe.main(["--splits", "2", "--out", str(tmp_path), "--variant", "recipe", "--resume"])
    assert len(stand_in) == 4  # read back, not rerun


def test_every_tuning_variant_sets_only_notebook_parameters(nb):
    """papermill ignores a parameter the notebook does not have, so a renamed knob would silently run the recipe."""
    import tune_recipe

    for name, parameters in tune_recipe.VARIANTS.items():
        unknown = set(parameters) - set(nb.PARAMETER_RULES)
        assert not unknown, f"variant {name!r} sets {unknown}, which the notebook's parameters cell does not have"
        nb.check_parameters({**{p: getattr(nb, p) for p in nb.PARAMETER_RULES}, **parameters})
