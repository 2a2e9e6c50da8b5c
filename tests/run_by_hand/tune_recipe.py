"""Tuning harness: run the notebook on tuning splits with named parameter variants and compare them.

Not collected by pytest (its name does not start with test_). It re-measures the rows of
tests/records/RESULTS.md that are pure parameter changes of the notebook; rows that needed code
changes cannot be re-run from here. From the repository root (one line per table of
tests/records/RESULTS.md; quote each variant name):

    python tests/run_by_hand/tune_recipe.py --list        # the variants and their parameters
    # table "First recipe trials":
    python tests/run_by_hand/tune_recipe.py --seed 1000 --splits 4 \
        --variant "early: no augmentation" \
        --variant "early: no augmentation, 28x23" --variant "early: no augmentation, 84x69" \
        --variant "early: shifts 2, 30 epochs" --variant "early: shifts 2, 40 epochs" \
        --variant "early: shifts 3, 30 epochs" --variant "early: shifts 3, 20 epochs" \
        --variant "early: shifts 3, 4 networks"
    # table "Trials against the weak spot s31":
    python tests/run_by_hand/tune_recipe.py --variant "no zoom" --variant "no zoom, margin 1.2" \
        --variant "no zoom, embedding 32" --variant "no zoom, half width" \
        --variant "no zoom, 6 networks of 13 epochs" --variant "no search" --variant recipe
    # table "Trials on top of the current recipe":
    python tests/run_by_hand/tune_recipe.py --variant recipe --variant "15x2 batches" \
        --variant "wider search" --variant "zoom 1.5" --variant "zoom 1.5, seven scales"
    # list "Four more trials":
    python tests/run_by_hand/tune_recipe.py --variant recipe --variant "6 networks" \
        --variant "zoomed-in search" --variant "zoom 1.5, zoomed-in search"
    # table "Nine more trials":
    python tests/run_by_hand/tune_recipe.py --variant recipe --variant "margin 1.7" \
        --variant "30x3 batches" --variant "30 epochs"
    # table "Choosing the threshold rule" (the threshold-rule table printed for the recipe):
    python tests/run_by_hand/tune_recipe.py --variant recipe
    # table "How many left-out people" (the threshold-rule table, rule "from the left-out people"):
    python tests/run_by_hand/tune_recipe.py --variant "calibration 2x20%" \
        --variant "calibration 3x20%" --variant "calibration 4x20%" --variant recipe
    # table "The networks' seeds on one split" (the spread over the notebook seeds):
    python tests/run_by_hand/tune_recipe.py --splits 1 --variant recipe --notebook-seed 0 \
        --notebook-seed 1000 --notebook-seed 2000 --notebook-seed 3000

Defaults: the 12 splits of seed 2027 (tuning splits), every variant, the notebook's own SEED,
results under outputs/tuning/seed-N/VARIANT/ (with --notebook-seed, under .../notebook-seed-K/).
Report seeds and the seed kept for the next report (REPORT_SEEDS, see the split-seed ledger in
tests/records/RESULTS.md) are refused: nothing may be chosen on them.
"""
import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from benchmark_splits import (MEASURES, SLACK, compare_threshold_rules, draw_splits,  # noqa: E402
                              identity_names, row, run_split, summarise)
from notebook_code import ROOT  # noqa: E402

REPORT_SEEDS = frozenset(range(2028, 2038))  # 2028-2036 reported; 2037 kept for the next report
DATA_DIR = "data/att_faces"
# the setting of the first trials
EARLY = {"N_MODELS": 3, "ONE_SHOT_DRAWS": 50, "AUGMENT_ZOOM": 1.0, "SEARCH_ZOOMS": [1.0]}
# the recipe before the zoom
NO_ZOOM = {"AUGMENT_SHIFT": 3, "AUGMENT_ZOOM": 1.0, "SEARCH_ZOOMS": [1.0]}
ZOOMED_IN = [1.0, 1.1, 1.2, 1.3, 1.4]
VARIANTS = {
    "recipe": {},
    "early: no augmentation": {**EARLY, "AUGMENT_SHIFT": 0},
    "early: no augmentation, 28x23": {**EARLY, "AUGMENT_SHIFT": 0, "IMAGE_SIZE": [28, 23]},
    "early: no augmentation, 84x69": {**EARLY, "AUGMENT_SHIFT": 0, "IMAGE_SIZE": [84, 69]},
    "early: shifts 2, 30 epochs": {**EARLY, "AUGMENT_SHIFT": 2, "EPOCHS": 30},
    "early: shifts 2, 40 epochs": {**EARLY, "AUGMENT_SHIFT": 2, "EPOCHS": 40},
    "early: shifts 3, 30 epochs": {**EARLY, "AUGMENT_SHIFT": 3, "EPOCHS": 30},
    "early: shifts 3, 20 epochs": {**EARLY, "AUGMENT_SHIFT": 3, "EPOCHS": 20},
    "early: shifts 3, 4 networks": {**EARLY, "AUGMENT_SHIFT": 3, "EPOCHS": 20, "N_MODELS": 4},
    "no zoom": NO_ZOOM,
    "no zoom, margin 1.2": {**NO_ZOOM, "MARGIN": 1.2},
    "no zoom, embedding 32": {**NO_ZOOM, "EMBEDDING_DIM": 32},
    "no zoom, half width": {**NO_ZOOM, "CONV_CHANNELS": [8, 16, 32, 64], "HIDDEN_UNITS": 64},
    "no zoom, 6 networks of 13 epochs": {**NO_ZOOM, "N_MODELS": 6, "EPOCHS": 13},
    "no search": {"SEARCH_ZOOMS": [1.0]},
    "15x2 batches": {"PEOPLE_PER_BATCH": 15},
    "wider search": {"SEARCH_ZOOMS": [0.7, 0.85, 1.0, 1.2, 1.4]},
    "zoom 1.5": {"AUGMENT_ZOOM": 1.5},
    "zoom 1.5, seven scales": {"AUGMENT_ZOOM": 1.5,
                               "SEARCH_ZOOMS": [0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4]},
    "6 networks": {"N_MODELS": 6},
    "zoomed-in search": {"SEARCH_ZOOMS": ZOOMED_IN},
    "zoom 1.5, zoomed-in search": {"AUGMENT_ZOOM": 1.5, "SEARCH_ZOOMS": ZOOMED_IN},
    "margin 1.7": {"MARGIN": 1.7},
    "30x3 batches": {"IMAGES_PER_PERSON": 3},
    "30 epochs": {"EPOCHS": 30},
    "calibration 2x20%": {"CALIBRATION_MODELS": 2, "VALIDATION_SHARE": 0.2},
    "calibration 3x20%": {"CALIBRATION_MODELS": 3, "VALIDATION_SHARE": 0.2},
    "calibration 4x20%": {"CALIBRATION_MODELS": 4, "VALIDATION_SHARE": 0.2},
}


def folder_name(variant):
    """A file-system-safe folder name for a variant."""
    return re.sub(r"[^a-z0-9]+", "-", variant.lower()).strip("-")


def fisherfaces_wins(rows):
    """Splits where the full model's AUC beats Fisherfaces', and where both its AUC and EER do."""
    pairs = [(r["full_model"], r["fisherfaces_full_model_conditions"]) for r in rows]
    return (sum(n["auc"] > f["auc"] for n, f in pairs),
            sum(n["auc"] > f["auc"] and n["eer"] < f["eer"] for n, f in pairs))


def variant_line(variant, rows):
    """One markdown row: mean AUC / EER / one-shot, worst AUC, splits ahead of Fisherfaces."""
    network = summarise(rows)["full_model"]
    auc_wins, both_wins = fisherfaces_wins(rows)
    return (f"| {variant} | {network['mean']['auc']:.3f} | {network['mean']['eer']:.1%} | "
            f"{network['mean']['one_shot']:.1%} | {network['worst']['auc']:.3f} | "
            f"{auc_wins} of {len(rows)} | {both_wins} of {len(rows)} |")


def rule_lines(variant, all_metrics):
    """Markdown rows of the threshold-rule comparison (gap of balanced accuracy to 1 - EER)."""
    return [f"| {variant} | {rule} | {c['mean_balanced_accuracy']:.1%} | "
            f"{c['mean_gap'] * 100:+.1f} points | {c['worst_gap'] * 100:+.1f} points | "
            f"{c['within_slack']} of {len(all_metrics)} |"
            for rule, c in compare_threshold_rules(all_metrics).items()]


SPREAD_METHODS = {"full_model": "full model", "core_network": "core network",
                  "fisherfaces_full_model_conditions": "Fisherfaces, full model's conditions",
                  "fisherfaces_core_conditions": "Fisherfaces, core network's conditions"}


def spread(values, measure):
    """'mean, s.d. (min–max)' of one measure over runs: AUC with three decimals, others in %."""
    v = np.array(values, dtype=float) * (1 if measure == "auc" else 100)
    digits, unit = (3, "") if measure == "auc" else (1, " %")
    sd = v.std(ddof=1) if len(v) > 1 else float("nan")
    return (f"{v.mean():.{digits}f}{unit}, s.d. {sd:.{digits}f} "
            f"({v.min():.{digits}f}–{v.max():.{digits}f})")


def spread_lines(variant, split_number, rows):
    """Markdown rows: per method, the spread of each measure over the runs of one split (one run
    per notebook seed)."""
    return [f"| {variant} | {split_number} | {name} | "
            + " | ".join(spread([r[method][m] for r in rows], m) for m in MEASURES) + " |"
            for method, name in SPREAD_METHODS.items() if all(method in r for r in rows)]


def parse_arguments(argv=None):
    """The command line, with unknown variants and report seeds refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2027,
                        help="seed that draws the tuning splits (default 2027)")
    parser.add_argument("--splits", type=int, default=12, help="how many splits (default 12)")
    parser.add_argument("--variant", action="append",
                        help="a variant name (repeatable; default: all)")
    parser.add_argument("--notebook-seed", type=int, action="append", dest="notebook_seeds",
                        help="run every split with this notebook SEED (repeatable: once per seed, "
                             "and print the spread over the seeds); default: the notebook's SEED")
    parser.add_argument("--out", default="outputs/tuning",
                        help="results go to OUT/seed-N/VARIANT/split-NN")
    parser.add_argument("--resume", action="store_true",
                        help="read back splits finished with the same parameters")
    parser.add_argument("--list", action="store_true",
                        help="print the variants and their parameters, run nothing")
    parser.add_argument("--i-know-this-is-a-report-seed", action="store_true",
                        dest="report_seed_ok",
                        help="allow a report seed (to reproduce a report, never to choose anything "
                             "on it)")
    args = parser.parse_args(argv)
    unknown = [v for v in args.variant or [] if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; --list shows them")
    if args.seed in REPORT_SEEDS and not args.report_seed_ok and not args.list:
        parser.error(f"seed {args.seed} is a report seed (see the split-seed ledger in "
                     "tests/records/RESULTS.md): recipe changes are chosen on tuning seeds only; "
                     "pass --i-know-this-is-a-report-seed to run it anyway")
    return args


def main(argv=None):
    """Run every chosen variant on every split (once per notebook seed), then print the tables."""
    args = parse_arguments(argv)
    variants = args.variant or list(VARIANTS)
    if args.list:
        for name in variants:
            print(f"{name}: {json.dumps(VARIANTS[name])}")
        return
    splits = draw_splits(identity_names(DATA_DIR), args.splits, 10, args.seed)
    seeds = args.notebook_seeds or [None]
    results, per_split = {}, {}
    for variant in variants:
        folder = ROOT / args.out / f"seed-{args.seed}" / folder_name(variant)
        runs = []
        for seed in seeds:
            extra = {"DATA_DIR": DATA_DIR, "SANITY_CHECKS": False, **VARIANTS[variant],
                     **({} if seed is None else {"SEED": seed})}
            where = folder if seed is None else folder / f"notebook-seed-{seed}"
            runs += [run_split(split, where / f"split-{n:02d}", extra, args.resume)[0]
                     for n, split in enumerate(splits, 1)]
        results[variant] = runs
        per_split[variant] = [runs[n::len(splits)] for n in range(len(splits))]
        print(f"{variant}: {len(runs)} runs done (mean AUC "
              f"{np.mean([row(m)['full_model']['auc'] for m in runs]):.3f})", flush=True)
    print(f"\n| variant (seed-{args.seed} splits, tuning only) | mean AUC | mean EER | "
          "mean one-shot | worst AUC | AUC ahead of Fisherfaces | AUC and EER ahead of "
          "Fisherfaces |\n| --- | --- | --- | --- | --- | --- | --- |")
    for variant, runs in results.items():
        print(variant_line(variant, [row(m) for m in runs]))
    rules = [line for variant, runs in results.items() for line in rule_lines(variant, runs)]
    if rules:
        print(f"\n| variant | threshold rule | mean bal. acc. | mean gap to 1 - EER | worst gap | "
              f"within {SLACK * 100:.0f} points |\n| --- | --- | --- | --- | --- | --- |")
        print("\n".join(rules))
    if len(seeds) > 1:
        print(f"\n| variant | split | method (over notebook seeds {', '.join(map(str, seeds))}) | "
              "AUC | EER | one-shot | balanced accuracy |\n"
              "| --- | --- | --- | --- | --- | --- | --- |")
        for variant, by_split in per_split.items():
            for n, runs in enumerate(by_split, 1):
                print("\n".join(spread_lines(variant, n, [row(m) for m in runs])))


if __name__ == "__main__":
    main()
