"""The multi-split benchmark's and the tuning harness's bookkeeping, with the notebook replaced by a
stand-in; and the recorded report that README's results table must equal."""
import json
import re
import sys

import pytest

import benchmark_splits as bench
import tune_recipe

NAMES = [f"s{n}" for n in range(1, 13)]


def method(auc, eer, one_shot, balanced):
    """One method's entry in metrics.json."""
    return {"auc": auc, "eer": eer, "one_shot": one_shot, "balanced_accuracy": balanced,
            "threshold": 0.7}


def fake_metrics(split, network_auc=0.99, fisher_auc=0.95, core=None, seed=0):
    """A metrics.json like the notebook's, with chosen AUCs, fixed other numbers and, if given, a
    core network with its own baselines."""
    methods = {"full_model": method(network_auc, 0.05, 0.93, 0.94),
               "raw_pixels_full_model_conditions": method(0.93, 0.15, 0.80, 0.85),
               "fisherfaces_full_model_conditions": method(fisher_auc, 0.10, 0.88, 0.89)}
    if core is not None:
        methods.update({"core_network": core,
                        "raw_pixels_core_conditions": method(0.93, 0.15, 0.80, 0.83),
                        "fisherfaces_core_conditions": method(0.94, 0.11, 0.86, 0.87)})
    return {"test_people": list(split), "seed": seed, "train_seconds": 50.0, "device": "cpu",
            "torch": "2.14.1", "held_out_pairs": 4950, "genuine_pairs": 450, "n_models": 4,
            "search_zooms": [0.8, 0.9, 1.0, 1.1, 1.2], "epochs": 20, "methods": methods}


def old_metrics(new):
    """The same run as a notebook from before the methods' renaming wrote it."""
    old = {**new, "methods": {"siamese_network": new["methods"]["full_model"],
                              "raw_pixels": new["methods"]["raw_pixels_full_model_conditions"],
                              "fisherfaces": new["methods"]["fisherfaces_full_model_conditions"]}}
    if "core_network" in new["methods"]:
        old["methods"]["core_network"] = new["methods"]["core_network"]
        old["comparison"] = {
            "raw pixels (section 7)": new["methods"]["raw_pixels_core_conditions"],
            "Fisherfaces (section 7)": new["methods"]["fisherfaces_core_conditions"],
            "raw pixels (full model's conditions)": old["methods"]["raw_pixels"]}
    return old


def record(split, metrics, notebook_seed=0):
    """One split's record in a report, as the benchmark keeps it."""
    return {"held_out": list(split), "notebook_seed": notebook_seed, "methods": bench.row(metrics),
            "train_seconds": metrics["train_seconds"], "notebook_seconds": 100.0,
            "pairs": 4950, "genuine_pairs": 450}


MACHINE = {"cpu": "AMD EPYC", "architecture": "x86_64", "cores": 2, "memory_gib": 24,
           "python": "3.11.7", "device": "cpu", "torch": "2.14.1+cpu"}
RECIPE = {"n_models": 4, "search_zooms": [0.8, 0.9, 1.0, 1.1, 1.2], "epochs": 20}


def test_splits_are_seeded_distinct_and_in_folder_order():
    splits = bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits == bench.draw_splits(NAMES, 5, 4, seed=7)
    assert splits != bench.draw_splits(NAMES, 5, 4, seed=8)
    for split in splits:
        assert len(set(split)) == 4 and split == sorted(split, key=NAMES.index)


def test_each_split_gets_its_own_notebook_seed_reproducibly_from_the_split_seed():
    seeds = bench.split_seeds(2035, 12)
    assert seeds == bench.split_seeds(2035, 12) and seeds != bench.split_seeds(2036, 12)
    assert len(set(seeds)) == 12 and all(type(s) is int and s >= 0 for s in seeds)
    # the notebook seeds its networks with SEED ... SEED + 103: no two splits may share one
    networks = [set(range(s, s + 104)) for s in seeds]
    assert all(not (a & b) for i, a in enumerate(networks) for b in networks[i + 1:])
    assert all(s + 103 < 2**32 for s in seeds)  # numpy's global seed takes 32 bits
    assert bench.split_seeds(2035, 4) == seeds[:4]  # the first splits keep their seeds


def test_the_benchmark_passes_each_split_its_seed_and_records_it(stand_in, tmp_path):
    bench.main(["--seed", "7", "--splits", "3", "--people", "4", "--out", str(tmp_path)])
    assert [c["SEED"] for c in stand_in] == bench.split_seeds(7, 3)
    assert [c["TEST_PEOPLE"] for c in stand_in] == bench.draw_splits(NAMES, 3, 4, 7)
    recorded = json.loads((tmp_path / "split-02" / "parameters.json").read_text())
    assert recorded["parameters"]["SEED"] == bench.split_seeds(7, 3)[1]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [s["notebook_seed"] for s in report["splits"]] == bench.split_seeds(7, 3)
    assert "each split with a notebook `SEED` of its own" in report["markdown"]
    bench.main(["--seed", "7", "--splits", "3", "--people", "4", "--out", str(tmp_path),
                "--resume"])
    assert len(stand_in) == 3  # read back, not rerun
    split, folder = stand_in[1]["TEST_PEOPLE"], tmp_path / "split-02"
    extra = {"DATA_DIR": "data/att_faces", "SANITY_CHECKS": False}
    with pytest.raises(ValueError, match="other parameters"):
        bench.run_split(split, folder, {**extra, "SEED": stand_in[1]["SEED"] + 1}, resume=True)
    assert bench.run_split(split, folder, {**extra, "SEED": stand_in[1]["SEED"]}, resume=True)
    assert len(stand_in) == 3


def test_a_seed_parameter_runs_every_split_with_that_seed(stand_in, tmp_path):
    bench.main(["--seed", "7", "--splits", "3", "--people", "4", "--out", str(tmp_path),
                "-p", "SEED", "5"])
    assert [c["SEED"] for c in stand_in] == [5, 5, 5]
    report = json.loads((tmp_path / "report.json").read_text())
    assert "every split with the notebook's `SEED` 5" in report["markdown"]


def test_metrics_of_older_notebooks_are_read_through_the_old_keys():
    core = method(0.96, 0.09, 0.89, 0.90)
    new = fake_metrics(["s1", "s2"], core=core)
    assert bench.row(old_metrics(new)) == bench.row(new)
    assert set(bench.row(new)) == set(bench.METHODS)
    assert bench.row(new)["fisherfaces_core_conditions"]["balanced_accuracy"] == 0.87
    before_core = old_metrics(fake_metrics(["s1", "s2"]))  # before the notebook had a core network
    assert set(bench.row(before_core)) == set(bench.COMPARED["full_model"]) | {"full_model"}


def test_counts_compare_each_network_with_the_baselines_of_its_conditions():
    good_core = method(0.97, 0.08, 0.90, 0.91)
    weak_core = method(0.92, 0.12, 0.85, 0.80)  # behind raw pixels, and 8 points short of 1 - EER
    rows = [bench.row(fake_metrics(["s1", "s2"], core=good_core)),
            bench.row(fake_metrics(["s3", "s4"], network_auc=0.94, core=weak_core)),
            bench.row(fake_metrics(["s5", "s6"], core=good_core))]
    counts = {description: (holds, total) for description, holds, total in bench.count_wins(rows)}
    assert counts["full model ahead of Fisherfaces on AUC and EER"] == (2, 3)
    assert counts["full model ahead of raw pixels on AUC, EER and one-shot"] == (3, 3)
    assert counts[bench.WITHIN] == (3, 3)
    assert counts["core network ahead of Fisherfaces on AUC and EER"] == (2, 3)
    assert counts["core network ahead of raw pixels on AUC, EER and one-shot"] == (2, 3)
    assert counts["core network: balanced accuracy at the pre-chosen threshold >= (1 - EER) - 0.02"
                  ] == (2, 3)
    # the core network is measured against the Fisherfaces of its conditions (AUC 0.94) only
    for r in rows:
        r["fisherfaces_full_model_conditions"]["auc"] = 0.995
    counts = {description: holds for description, holds, _ in bench.count_wins(rows)}
    assert counts["core network ahead of Fisherfaces on AUC and EER"] == 2
    assert counts["full model ahead of Fisherfaces on AUC and EER"] == 0


def test_the_summary_gives_the_mean_its_standard_error_and_the_worst_split():
    rows = [bench.row(fake_metrics(["s1", "s2"], network_auc=auc)) for auc in (0.99, 0.95, 0.97)]
    full = bench.summarise(rows)["full_model"]
    assert full["mean"]["auc"] == pytest.approx(0.97)
    assert full["standard_error"]["auc"] == pytest.approx(0.02 / 3**0.5)
    assert full["standard_error"]["eer"] == pytest.approx(0.0)
    assert full["worst"]["auc"] == 0.95 and full["worst_split"] == 2


def test_paired_differences_are_taken_split_by_split():
    rows = [bench.row(fake_metrics(["s1", "s2"], network_auc=0.99, fisher_auc=0.97)),
            bench.row(fake_metrics(["s3", "s4"], network_auc=0.95, fisher_auc=0.93)),
            bench.row(fake_metrics(["s5", "s6"], network_auc=0.97, fisher_auc=0.95))]
    paired = bench.paired_differences(rows)
    fisher = paired["full_model - fisherfaces_full_model_conditions"]
    # 0.02 ahead on every split: no spread, though either method alone varies from split to split
    assert fisher["mean"]["auc"] == pytest.approx(0.02)
    assert fisher["standard_error"]["auc"] == pytest.approx(0.0, abs=1e-12)
    assert fisher["mean"]["eer"] == pytest.approx(-0.05)
    assert paired["full_model - raw_pixels_full_model_conditions"]["mean"]["one_shot"] == (
        pytest.approx(0.13))
    assert not any(key.startswith("core_network") for key in paired)  # no core network recorded
    core = method(0.96, 0.09, 0.89, 0.90)
    with_core = [bench.row(fake_metrics(["s1", "s2"], core=core))] * 2
    core_pairs = bench.paired_differences(with_core)["core_network - fisherfaces_core_conditions"]
    assert core_pairs["mean"]["auc"] == pytest.approx(0.02)  # 0.96 - 0.94, its own Fisherfaces
    assert core_pairs["mean"]["balanced_accuracy"] == pytest.approx(0.03)  # 0.90 - 0.87


@pytest.mark.parametrize("behind, short, met", [(1, 1, (True, True)), (2, 1, (False, True)),
                                                (1, 2, (True, False)), (0, 0, (True, True))])
def test_the_targets_are_shares_of_the_splits_and_the_report_says_if_they_are_met(behind, short,
                                                                                   met):
    metrics = [fake_metrics(NAMES[:2]) for _ in range(12)]
    for m in metrics[:behind]:
        m["methods"]["full_model"]["auc"] = 0.90  # behind Fisherfaces
    for m in metrics[12 - short:]:
        m["methods"]["full_model"]["balanced_accuracy"] = 0.92  # 3 points short of 1 - EER
    report = bench.make_report(1, "cmd", None, MACHINE, RECIPE,
                               [record(NAMES[:2], m, n) for n, m in enumerate(metrics)], {})
    targets = {t["claim"]: t for t in report["targets"]}
    assert (targets[bench.AHEAD]["met"], targets[bench.WITHIN]["met"]) == met
    assert targets[bench.AHEAD]["splits"] == 12 - behind and targets[bench.AHEAD]["of"] == 12
    text = " ".join(report["markdown"].split())
    assert ("**Met**" if met[0] else "**Not met**") + f": {12 - behind} of 12" in text
    assert ("**Met**" if met[1] else "**Not met**") + f": {12 - short} of 12" in text
    assert "at least 85 % of the splits" in text and "at least 90 % of the splits" in text


def test_older_metrics_without_a_core_network_are_summarised_without_it():
    rows = [bench.row(fake_metrics(["s1", "s2"])),
            bench.row(fake_metrics(["s3", "s4"], core=method(0.9, 0.1, 0.8, 0.8)))]
    assert "core_network" not in rows[0] and "core_network" in rows[1]
    summary = bench.summarise(rows)
    assert set(summary) == {"full_model", "raw_pixels_full_model_conditions",
                            "fisherfaces_full_model_conditions"}
    assert not any(d.startswith("core") for d, _, _ in bench.count_wins(rows))
    records = [record(["s1", "s2"], fake_metrics(["s1", "s2"])),
               record(["s3", "s4"], fake_metrics(["s3", "s4"]))]
    assert "core network" not in bench.markdown_table(records, summary)


def test_the_results_table_gets_a_core_network_column_when_every_split_has_one():
    core = method(0.96, 0.09, 0.89, 0.90)
    records = [record(["s1", "s2"], fake_metrics(["s1", "s2"], core=core), 3000),
               record(["s3", "s4"], fake_metrics(["s3", "s4"], core=core), 5000)]
    summary = bench.summarise([r["methods"] for r in records])
    lines = bench.markdown_table(records, summary).splitlines()
    assert "core network AUC / EER / one-shot / bal. acc." in lines[0]
    assert {line.count("|") for line in lines} == {10}
    assert "| s1, s2 | 3000 | 0.990 / 5.0% / 93.0% / 94.0% | 0.960 / 9.0% / 89.0% / 90.0% |" in (
        lines[2])


def test_times_are_summarised_as_median_mean_shortest_and_longest():
    times = bench.timing([50, 70, 30], [100, 150, 120])
    assert times["training"] == {"median": 50.0, "mean": 50.0, "min": 30.0, "max": 70.0}
    assert times["notebook"]["median"] == 120.0
    assert "notebook" not in bench.timing([50, 70], [None, None])  # not recorded


@pytest.fixture
def stand_in(monkeypatch):
    """Replace the notebook run by a stand-in that records its parameters and writes
    metrics.json."""
    calls = []

    def execute(output_dir, **parameters):
        calls.append(parameters)
        output_dir.mkdir(parents=True, exist_ok=True)
        metrics = fake_metrics(parameters["TEST_PEOPLE"], seed=parameters.get("SEED", 0))
        (output_dir / "metrics.json").write_text(json.dumps(metrics))
        return output_dir
    monkeypatch.setattr(bench, "execute_notebook", execute)
    monkeypatch.setattr(bench, "identity_names", lambda data_dir: NAMES)
    monkeypatch.setattr(tune_recipe, "identity_names", lambda data_dir: NAMES)
    return calls


def test_benchmark_runs_with_sanity_checks_off_and_writes_its_report(stand_in, tmp_path,
                                                                     monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["benchmark_splits.py", "--seed", "2034", "--splits", "3",
                                      "--people", "4", "--out", str(tmp_path), "-p", "EPOCHS", "2"])
    bench.main()
    assert len(stand_in) == 3
    assert all(c["SANITY_CHECKS"] is False and c["EPOCHS"] == 2 and "TEST_SUBJECTS" not in c
               for c in stand_in)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["seed"] == 2034 and report["parameters"]["EPOCHS"] == 2
    assert [s["held_out"] for s in report["splits"]] == [c["TEST_PEOPLE"] for c in stand_in]
    assert [bench.AHEAD, 3, 3] in report["counts"]
    assert report["timing"]["training"]["median"] == 50.0
    assert report["machine"]["device"] == "cpu" and report["machine"]["cores"] >= 1
    assert all((tmp_path / f"split-{n:02d}" / "parameters.json").is_file() for n in (1, 2, 3))
    assert (tmp_path / "summary.md").read_text().count("\n") == 2 + 3 + 2
    printed = capsys.readouterr().out
    assert "on  3 of 3 splits: full model ahead of raw pixels on AUC, EER and one-shot" in printed
    assert "time (information): training median 50 s" in printed and "goal" not in printed
    assert f"target: {bench.AHEAD} on at least 85% of the splits: met (3 of 3)" in printed


def test_write_report_records_the_report_and_rewrites_only_readmes_table(stand_in, tmp_path,
                                                                         monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{bench.BEGIN}\nold table\n{bench.END}\n\nAfter.\n")
    monkeypatch.setattr(bench, "README", readme)
    monkeypatch.setattr(bench, "REPORT", tmp_path / "report.json")
    bench.main(["--seed", "7", "--splits", "2", "--people", "4", "--out", str(tmp_path / "out"),
                "--write-report"])
    report = json.loads((tmp_path / "report.json").read_text())
    text = readme.read_text()
    assert bench.readme_block(text) == report["markdown"] and "old table" not in text
    assert text.startswith("# Title\n\nBefore.\n\n" + bench.BEGIN + "\n")
    assert text.endswith(bench.END + "\n\nAfter.\n")
    bench.write_report(report)
    assert readme.read_text() == text  # writing the same report again changes nothing
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="benchmark table"):
        bench.write_report(report)


def test_the_seed_must_be_given_so_that_no_old_report_is_rerun_by_default(capsys):
    with pytest.raises(SystemExit):
        bench.parse_arguments([])
    assert "--seed" in capsys.readouterr().err


def test_write_report_refuses_other_parameters(capsys):
    with pytest.raises(SystemExit):
        bench.parse_arguments(["--seed", "2037", "--write-report", "-p", "EPOCHS", "2"])
    assert "drop the -p parameters" in capsys.readouterr().err


def test_resume_reuses_a_split_finished_with_the_same_parameters(stand_in, tmp_path):
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2})
    metrics, _ = bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2}, resume=True)
    assert len(stand_in) == 1 and metrics["test_people"] == ["s1", "s2"]
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2}, resume=False)  # always run
    assert len(stand_in) == 2
    bench.run_split(["s3", "s4"], tmp_path / "b", {}, resume=True)  # nothing finished there yet
    assert len(stand_in) == 3


@pytest.mark.parametrize("split, extra", [(["s1", "s2"], {"EPOCHS": 3}),
                                          (["s3", "s4"], {"EPOCHS": 2}),
                                          (["s1", "s2"], {"EPOCHS": 2, "MARGIN": 1.2})])
def test_resume_refuses_a_split_finished_with_other_parameters(stand_in, tmp_path, split, extra):
    bench.run_split(["s1", "s2"], tmp_path / "a", {"EPOCHS": 2})
    with pytest.raises(ValueError, match="other parameters") as error:
        bench.run_split(split, tmp_path / "a", extra, resume=True)
    assert str(tmp_path / "a") in str(error.value)
    assert "another --out or drop --resume" in str(error.value)
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
    # the old metrics.json can no longer pass as this run
    assert not (tmp_path / "a" / "parameters.json").exists()


def test_threshold_rules_are_compared_by_their_gap_to_one_minus_eer():
    first, second = fake_metrics(["s1", "s2"]), fake_metrics(["s3", "s4"])  # EER 5 %: 1 - EER 95 %
    first["threshold_rules"] = {"used": {"balanced_accuracy": 0.94},
                                "other": {"balanced_accuracy": 0.90}}
    second["threshold_rules"] = {"used": {"balanced_accuracy": 0.95},
                                 "other": {"balanced_accuracy": 0.94}}
    rules = bench.compare_threshold_rules([first, old_metrics(second)])
    assert rules["used"]["within_slack"] == 2 and rules["other"]["within_slack"] == 1
    assert rules["other"]["worst_gap"] == pytest.approx(-0.05)
    assert rules["used"]["mean_gap"] == pytest.approx(-0.005)
    assert bench.compare_threshold_rules([first, fake_metrics(["s5", "s6"])]) == {}  # older run


RECORDED = json.loads(bench.REPORT.read_text(encoding="utf-8"))
README_TEXT = bench.README.read_text(encoding="utf-8")


def test_readmes_results_table_is_the_recorded_reports():
    assert bench.readme_block(README_TEXT) == RECORDED["markdown"], (
        "README's results differ from tests/records/benchmark_report.json: rerun "
        "python tests/run_by_hand/benchmark_splits.py --seed N --resume --write-report")


def test_the_recorded_report_is_what_the_benchmark_makes_of_its_numbers():
    assert bench.make_report(**{key: RECORDED[key] for key in bench.REPORT_INPUTS}) == RECORDED
    assert len(RECORDED["splits"]) == 12 and RECORDED["machine"]["cpu"]
    assert bench.machine_text(RECORDED["machine"]) in " ".join(RECORDED["markdown"].split())


def test_readme_quotes_the_recorded_training_time_wherever_it_gives_one():
    quoted = re.findall(r"(\d+)\s+s\s+of\s+training", README_TEXT)
    assert re.search(r"\d+\s+s\s+of\s+training", bench.readme_block(README_TEXT))
    assert quoted and set(quoted) == {str(RECORDED["training_seconds_quoted"])}, (
        f"README quotes {quoted} s of training; the recorded report says "
        f"{RECORDED['training_seconds_quoted']} s: update every quote, the opening's too")
    median = RECORDED["timing"]["training"]["median"]
    assert RECORDED["training_seconds_quoted"] == round(median)


@pytest.mark.parametrize("seed", sorted(tune_recipe.REPORT_SEEDS))
def test_the_harness_refuses_report_seeds_unless_told(seed, capsys):
    with pytest.raises(SystemExit):
        tune_recipe.parse_arguments(["--seed", str(seed)])
    assert "report seed" in capsys.readouterr().err
    assert tune_recipe.parse_arguments(["--seed", str(seed),
                                        "--i-know-this-is-a-report-seed"]).seed == seed


def test_the_harness_knows_its_seeds_and_variants(capsys):
    assert tune_recipe.REPORT_SEEDS == set(range(2028, 2038))  # 2037: kept for the next report
    assert tune_recipe.parse_arguments([]).seed == 2027
    assert tune_recipe.parse_arguments(["--seed", "2038"]).seed == 2038
    with pytest.raises(SystemExit):
        tune_recipe.parse_arguments(["--variant", "no such variant"])
    assert "unknown variant" in capsys.readouterr().err
    folders = {tune_recipe.folder_name(v) for v in tune_recipe.VARIANTS}
    assert len(folders) == len(tune_recipe.VARIANTS)


def test_the_harness_runs_each_variant_in_its_own_folder_and_prints_a_table(stand_in, tmp_path,
                                                                           capsys):
    tune_recipe.main(["--splits", "2", "--out", str(tmp_path), "--variant", "recipe",
                      "--variant", "margin 1.7"])
    assert [c.get("MARGIN") for c in stand_in] == [None, None, 1.7, 1.7]
    assert all(c["SANITY_CHECKS"] is False and "SEED" not in c for c in stand_in)
    assert (tmp_path / "seed-2027" / "margin-1-7" / "split-02" / "parameters.json").is_file()
    printed = capsys.readouterr().out
    assert "| margin 1.7 | 0.990 | 5.0% | 93.0% | 0.990 | 2 of 2 | 2 of 2 |" in printed
    tune_recipe.main(["--splits", "2", "--out", str(tmp_path), "--variant", "recipe", "--resume"])
    assert len(stand_in) == 4  # read back, not rerun


def test_the_harness_runs_each_notebook_seed_in_its_own_folder_and_prints_the_spread(
        stand_in, tmp_path, capsys):
    tune_recipe.main(["--splits", "1", "--out", str(tmp_path), "--variant", "recipe",
                      "--notebook-seed", "0", "--notebook-seed", "1000"])
    assert [c["SEED"] for c in stand_in] == [0, 1000]
    assert (tmp_path / "seed-2027" / "recipe" / "notebook-seed-1000" / "split-01"
            / "parameters.json").is_file()
    printed = capsys.readouterr().out
    assert "| full model | 0.990, s.d. 0.000 (0.990–0.990) | 5.0 %, s.d. 0.0 (5.0–5.0) |" in printed
    assert "| recipe | 1 | Fisherfaces, full model's conditions | 0.950" in printed


def test_every_tuning_variant_sets_only_notebook_parameters(nb):
    """papermill ignores a parameter the notebook does not have, so a renamed knob would silently
    run the recipe."""
    for name, parameters in tune_recipe.VARIANTS.items():
        known = nb.PARAMETER_SCHEMA["properties"]
        unknown = set(parameters) - set(known)
        assert not unknown, f"variant {name!r} sets {unknown}, which the notebook does not have"
        nb.check_parameters({**{p: getattr(nb, p) for p in known}, **parameters}, list(parameters))
