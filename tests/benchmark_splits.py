"""Multi-split benchmark: run the notebook with papermill on seeded random held-out splits and summarise.

Not collected by pytest (its name does not start with test_). From the repository root:

    python tests/benchmark_splits.py              # 12 splits drawn with seed 2034: the current notebook's report
    python tests/benchmark_splits.py --seed N     # 12 splits drawn with seed N; which seeds are tuning and which
                                                  #   are report seeds: the split-seed ledger in tests/RESULTS.md

Each split holds out --people identities drawn at random from the folders of DATA_DIR with
numpy.random.default_rng(--seed); every other parameter keeps its value from the notebook's parameters cell,
except SANITY_CHECKS, which is off: the benchmark measures every split, and a split where the network loses
to a baseline is a result to report, not a reason to stop. Per split, the executed notebook, its metrics.json,
its wall time (wall_seconds.txt) and the parameters it ran with (parameters.json) go to --out/split-NN/; with
--resume, a finished split is read back instead of run again, and refused if it ran with other parameters.
The script prints one row per split and the mean and worst split for the full model ("network", the ensemble
the notebook reports as siamese_network), the core network when the notebook records one, Fisherfaces and raw
pixels; then on how many splits each network is ahead of the baselines and its pre-chosen threshold is within
SLACK of 1 - EER, how each threshold rule did, and the training and notebook times (for information). It
writes summary.json and summary.md to --out.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_code import ROOT, execute_notebook, load_notebook_code  # noqa: E402

METHODS = {"siamese_network": "network", "core_network": "core network", "raw_pixels": "raw pixels",
           "fisherfaces": "Fisherfaces"}
NETWORKS = ("siamese_network", "core_network")  # the full model (4-network ensemble) and one plain network
MEASURES = ("auc", "eer", "one_shot", "balanced_accuracy")
SLACK = 0.02  # a threshold is within slack when its balanced accuracy is at least (1 - EER) - SLACK


def draw_splits(names, count, people, seed):
    """count sorted lists of `people` identity names, drawn without replacement within a split."""
    rng = np.random.default_rng(seed)
    return [sorted((names[i] for i in rng.choice(len(names), people, replace=False)), key=names.index)
            for _ in range(count)]


def identity_names(data_dir):
    """The person folder names of data_dir in the notebook's order (fetching the AT&T faces if needed)."""
    nb = load_notebook_code()
    nb.fetch_att_faces(ROOT / data_dir, os.environ.get("ATT_FACES_SOURCE"), nb.ATT_FACES_URL, nb.ATT_FACES_MD5,
                       nb.OLIVETTI_FALLBACK)
    return nb.load_faces(ROOT / data_dir, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)[3]


def run_parameters(split, extra):
    """What a split folder's parameters.json records: the held-out people and the other notebook parameters."""
    return json.loads(json.dumps({"split": list(split), "parameters": extra}))


def run_split(split, output_dir, extra, resume=False):
    """Execute the notebook on one split (or, with resume, read back a finished one): metrics.json, wall time.

    A finished split is reused only if its parameters.json matches split and extra; otherwise (or without
    parameters.json) resume stops with a ValueError rather than mix runs of different parameters."""
    output_dir = Path(output_dir)
    metrics_file, seconds_file = output_dir / "metrics.json", output_dir / "wall_seconds.txt"
    parameters_file, wanted = output_dir / "parameters.json", run_parameters(split, extra)
    if resume and metrics_file.is_file() and seconds_file.is_file():
        if not parameters_file.is_file():
            raise ValueError(f"--resume: {output_dir} holds a finished split but no parameters.json, so it cannot "
                             "tell which parameters it ran with; use another --out or drop --resume")
        found = json.loads(parameters_file.read_text())
        if found != wanted:
            raise ValueError(f"--resume: {output_dir} holds a split run with other parameters ({found}, not "
                             f"{wanted}); use another --out or drop --resume")
        return json.loads(metrics_file.read_text()), float(seconds_file.read_text())
    parameters_file.unlink(missing_ok=True)  # written again only once this run has finished
    started = time.perf_counter()
    execute_notebook(output_dir, TEST_PEOPLE=list(split), **extra)
    seconds = time.perf_counter() - started
    seconds_file.write_text(f"{seconds:.1f}\n")
    parameters_file.write_text(json.dumps(wanted, indent=2) + "\n")
    return json.loads(metrics_file.read_text()), seconds


def row(metrics):
    """The numbers of one split: the four measures of each method the metrics hold (core_network may be missing)."""
    return {method: {m: metrics["methods"][method][m] for m in MEASURES}
            for method in METHODS if method in metrics["methods"]}


def methods_in(rows):
    """The methods present on every split, in METHODS order."""
    return [method for method in METHODS if all(method in r for r in rows)]


def summarise(rows):
    """Mean and worst split (lowest AUC, one-shot, balanced accuracy; highest EER) of each measure."""
    out = {}
    for method in methods_in(rows):
        values = {m: np.array([r[method][m] for r in rows]) for m in MEASURES}
        out[method] = {"mean": {m: float(v.mean()) for m, v in values.items()},
                       "worst": {m: float(v.max() if m == "eer" else v.min()) for m, v in values.items()}}
    return out


def count_wins(rows):
    """Per network present: (description, splits where it holds, splits in all) against the baselines and SLACK."""
    counts = []
    for network in (n for n in NETWORKS if n in methods_in(rows)):
        name = METHODS[network]
        pairs = [(r[network], r["fisherfaces"], r["raw_pixels"]) for r in rows]
        counts += [
            (f"{name} ahead of Fisherfaces on AUC and EER",
             sum(n["auc"] > f["auc"] and n["eer"] < f["eer"] for n, f, _ in pairs), len(rows)),
            (f"{name} ahead of raw pixels on AUC, EER and one-shot",
             sum(n["auc"] > p["auc"] and n["eer"] < p["eer"] and n["one_shot"] > p["one_shot"] for n, _, p in pairs),
             len(rows)),
            (f"{name}: balanced accuracy at the pre-chosen threshold >= (1 - EER) - {SLACK:.2f}",
             sum(n["balanced_accuracy"] >= 1 - n["eer"] - SLACK for n, _, _ in pairs), len(rows)),
        ]
    return counts


def timing(train_seconds, notebook_seconds):
    """Mean and longest training and whole-notebook time in seconds (information, not a pass/fail check)."""
    return {"training": {"mean": float(np.mean(train_seconds)), "max": float(np.max(train_seconds))},
            "notebook": {"mean": float(np.mean(notebook_seconds)), "max": float(np.max(notebook_seconds))}}


def compare_threshold_rules(all_metrics):
    """Per threshold rule the notebook records (threshold_rules in metrics.json): mean balanced accuracy,
    worst gap to 1 - EER and on how many splits it is within SLACK of 1 - EER. Empty for older metrics."""
    if not all(m.get("threshold_rules") for m in all_metrics):
        return {}
    comparison = {}
    for rule in all_metrics[0]["threshold_rules"]:
        balanced = np.array([m["threshold_rules"][rule]["balanced_accuracy"] for m in all_metrics])
        gaps = balanced - (1 - np.array([m["methods"]["siamese_network"]["eer"] for m in all_metrics]))
        comparison[rule] = {"mean_balanced_accuracy": float(balanced.mean()), "mean_gap": float(gaps.mean()),
                            "worst_gap": float(gaps.min()), "within_slack": int((gaps >= -SLACK).sum())}
    return comparison


def markdown_table(splits, rows, summary, train_seconds):
    """RESULTS-ready table: one line per split, then mean and worst; a core-network column when recorded."""
    core = "core_network" in summary
    lines = ["| split (held out) | network AUC / EER / one-shot / bal. acc. | "
             + ("core network AUC / EER / one-shot / bal. acc. | " if core else "")
             + "Fisherfaces AUC / EER / one-shot | raw pixels AUC / EER / one-shot | training |",
             "| --- | --- | --- | --- | --- |" + (" --- |" if core else "")]

    def cells(values, with_balanced):
        text = f"{values['auc']:.3f} / {values['eer']:.1%} / {values['one_shot']:.1%}"
        return text + (f" / {values['balanced_accuracy']:.1%}" if with_balanced else "")
    for split, r, seconds in zip(splits, rows, train_seconds):
        lines.append(f"| {', '.join(map(str, split))} | {cells(r['siamese_network'], True)} | "
                     + (f"{cells(r['core_network'], True)} | " if core else "")
                     + f"{cells(r['fisherfaces'], False)} | {cells(r['raw_pixels'], False)} | {seconds:.0f} s |")
    for kind in ("mean", "worst"):
        lines.append(f"| **{kind}** | **{cells(summary['siamese_network'][kind], True)}** | "
                     + (f"{cells(summary['core_network'][kind], True)} | " if core else "")
                     + f"{cells(summary['fisherfaces'][kind], False)} | {cells(summary['raw_pixels'][kind], False)} | "
                     f"{(np.mean if kind == 'mean' else np.max)(train_seconds):.0f} s |")
    return "\n".join(lines)


def split_line(number, split, r, train_seconds, notebook_seconds):
    """One progress line: the networks' four measures and Fisherfaces', then the times."""
    def measures(values):
        return (f"AUC {values['auc']:.3f} EER {values['eer']:.1%} one-shot {values['one_shot']:.1%} "
                f"bal.acc {values['balanced_accuracy']:.1%}")
    f = r["fisherfaces"]
    core = f" | core network {measures(r['core_network'])}" if "core_network" in r else ""
    return (f"split {number:2d} [{', '.join(split)}]: network {measures(r['siamese_network'])}{core} | Fisherfaces "
            f"{f['auc']:.3f} {f['eer']:.1%} {f['one_shot']:.1%} | training {train_seconds:.0f} s, notebook "
            f"{notebook_seconds:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2034,
                        help="seed that draws the splits (default 2034: the current notebook's report splits)")
    parser.add_argument("--splits", type=int, default=12, help="how many splits (default 12)")
    parser.add_argument("--people", type=int, default=10, help="identities held out per split (default 10)")
    parser.add_argument("--data-dir", default="data/att_faces", help="DATA_DIR for the notebook")
    parser.add_argument("--out", default="outputs/benchmark", help="folder for the executed notebooks and summary")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="another notebook parameter, VALUE in JSON (e.g. -p EPOCHS 10); repeatable")
    parser.add_argument("--resume", action="store_true",
                        help="read back splits already finished in --out with the same parameters")
    args = parser.parse_args()
    extra = {"DATA_DIR": args.data_dir, "SANITY_CHECKS": False,
             **{name: json.loads(value) for name, value in args.parameter}}
    out = ROOT / args.out
    names = identity_names(args.data_dir)
    splits = draw_splits(names, args.splits, args.people, args.seed)
    print(f"{args.splits} splits of {args.people} of {len(names)} identities, drawn with seed {args.seed}")
    rows, train_seconds, notebook_seconds, all_metrics = [], [], [], []
    for number, split in enumerate(splits, 1):
        metrics, seconds = run_split(split, out / f"split-{number:02d}", extra, args.resume)
        rows.append(row(metrics))
        all_metrics.append(metrics)
        train_seconds.append(metrics["train_seconds"])
        notebook_seconds.append(seconds)
        print(split_line(number, split, rows[-1], metrics["train_seconds"], seconds), flush=True)
    summary = summarise(rows)
    table = markdown_table(splits, rows, summary, train_seconds)
    counts = count_wins(rows)
    times = timing(train_seconds, notebook_seconds)
    print("\n" + table + "\n")
    for description, holds, total in counts:
        print(f"on {holds:2d} of {total} splits: {description}")
    rules = compare_threshold_rules(all_metrics)
    if rules:
        print("\nthreshold rules of the network (balanced accuracy; gap to 1 - EER):")
        for rule, c in rules.items():
            print(f"  {rule:32s} mean {c['mean_balanced_accuracy']:.1%}, mean gap {c['mean_gap'] * 100:+.1f} "
                  f"points, worst {c['worst_gap'] * 100:+.1f}, within {SLACK * 100:.0f} points on "
                  f"{c['within_slack']} of {len(rows)}")
    print(f"\ntime (information): training mean {times['training']['mean']:.0f} s, longest "
          f"{times['training']['max']:.0f} s; whole notebook mean {times['notebook']['mean']:.0f} s, longest "
          f"{times['notebook']['max']:.0f} s")
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text(table + "\n")
    (out / "summary.json").write_text(json.dumps({
        "seed": args.seed, "people": args.people, "splits": splits, "rows": rows, "summary": summary,
        "train_seconds": train_seconds, "notebook_seconds": notebook_seconds, "timing": times,
        "counts": {description: {"splits": holds, "of": total} for description, holds, total in counts},
        "threshold_rules": rules, "parameters": extra}, indent=2))


if __name__ == "__main__":
    main()
