"""The benchmark: run the notebook with papermill on 12 seeded random splits of 10 test people.

Not collected by pytest. From the repository root, with the faces in data/att_faces (the notebook
fetches them):

    python tests/run_by_hand/benchmark_splits.py --seed N                  # 12 splits of seed N
    python tests/run_by_hand/benchmark_splits.py --seed N --write-report   # ... recorded

Each split holds out 10 people drawn with numpy.random.default_rng(N) and runs the notebook with a
SEED of its own (split_seeds), so that a report measures the recipe rather than one draw of its
seeds. SANITY_CHECKS is off: a split where a network loses to a baseline is a result to report.
`-p NAME VALUE` changes a parameter of every split (for trials on tuning seeds only). Per split the
executed notebook and its metrics.json go to --out/split-NN/; --resume reads a finished split back.

It prints a line per split, then each method's mean with its standard error and worst split, the
paired differences split by split, and the targets. --write-report records the report in
tests/records/benchmark_report.json (one entry per method and split) and rewrites README's table
between its benchmark-table markers. Which seeds were used, and for what: the split-seed ledger in
tests/records/RESULTS.md.
"""
import argparse
import json
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from notebook_code import ROOT, execute_notebook  # noqa: E402

METHODS = {"best_model": "ensemble of 4", "core_network": "core network",
           "core_network_no_mirror": "core network, no mirror",
           "fisherfaces": "Fisherfaces", "raw_pixels": "raw pixels"}  # key: name in metrics.json
MEASURES = ("auc", "eer", "one_shot", "balanced_accuracy")
PAIRS = (("core_network", "raw_pixels"), ("core_network", "fisherfaces"),
         ("best_model", "fisherfaces"), ("best_model", "raw_pixels"),
         ("best_model", "core_network"), ("core_network", "core_network_no_mirror"))
TARGETS = {  # name: (test on the report, what it asks)
    "core network ahead of raw pixels on AUC": ("core_raw_auc", 10),
    "best model ahead of Fisherfaces on AUC and EER": ("best_fisher_both", 10),
    "best model's mean AUC gain over Fisherfaces": ("best_fisher_gain", 0.012)}
SEED_SPACING = 1000  # the notebook seeds its networks with SEED to SEED + N_MODELS - 1
REPORT = ROOT / "tests" / "records" / "benchmark_report.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- benchmark table -->", "<!-- /benchmark table -->"


def draw_splits(names, count, people, seed):
    """count sorted lists of `people` names, drawn without replacement within a split."""
    rng = np.random.default_rng(seed)
    return [sorted((names[i] for i in rng.choice(len(names), people, replace=False)),
                   key=names.index) for _ in range(count)]


def split_seeds(seed, count):
    """Each split's notebook SEED: distinct multiples of SEED_SPACING drawn from the split seed."""
    rng, seeds = np.random.default_rng([seed, 1]), []
    while len(seeds) < count:
        drawn = int(rng.integers(10**6)) * SEED_SPACING
        seeds += [drawn] if drawn not in seeds else []
    return seeds


def method_key(name):
    """The report's key of a method named as in metrics.json."""
    if name == "ensemble" or name.endswith(" networks"):  # "4 networks": its name until 3c0877f
        return "best_model"
    return name.replace(",", "").replace(" ", "_").lower()


def run_split(number, people, seed, out, extra, resume):
    """Run the notebook on one split (or read it back); its numbers per method and its seconds."""
    folder = out / f"split-{number:02d}"
    parameters = {"TEST_PEOPLE": people, "SEED": seed, "SANITY_CHECKS": False, **extra}
    done = folder / "metrics.json"
    if not (resume and done.is_file()
            and json.loads((folder / "parameters.json").read_text()) == parameters):
        started = time.perf_counter()
        execute_notebook(folder, **parameters)
        (folder / "seconds.txt").write_text(f"{time.perf_counter() - started:.1f}")
        (folder / "parameters.json").write_text(json.dumps(parameters))
    metrics = json.loads(done.read_text())
    numbers = {method_key(name): {m: float(values[m]) for m in MEASURES}
               for name, values in metrics["methods"].items()}
    seconds = {"notebook": float((folder / "seconds.txt").read_text()),
               **metrics["train_seconds"]}
    return numbers, seconds


def summarise(splits):
    """Per method and measure: mean, standard error over the splits, and the worst split."""
    summary = {}
    for method in METHODS:
        summary[method] = {}
        for measure in MEASURES:
            values = np.array([s["numbers"][method][measure] for s in splits])
            worst = values.max() if measure == "eer" else values.min()
            summary[method][measure] = {"mean": values.mean(), "worst": worst,
                                        "se": values.std(ddof=1) / len(values) ** 0.5}
    return summary


def paired(splits):
    """Per pair of methods and measure: the mean difference, its standard error, splits ahead."""
    differences = {}
    for first, second in PAIRS:
        for measure in MEASURES:
            gaps = np.array([s["numbers"][first][measure] - s["numbers"][second][measure]
                             for s in splits])
            ahead = (gaps < 0) if measure == "eer" else (gaps > 0)
            differences[f"{first} - {second}: {measure}"] = {
                "mean": gaps.mean(), "se": gaps.std(ddof=1) / len(gaps) ** 0.5,
                "ahead": int(ahead.sum()), "worst": gaps.max() if measure == "eer" else gaps.min()}
    return differences


def targets(splits, differences):
    """Each target of the open issue: what the report measured and whether it is met."""
    both = sum(s["numbers"]["best_model"]["auc"] > s["numbers"]["fisherfaces"]["auc"]
               and s["numbers"]["best_model"]["eer"] < s["numbers"]["fisherfaces"]["eer"]
               for s in splits)
    measured = {"core_raw_auc": differences["core_network - raw_pixels: auc"]["ahead"],
                "best_fisher_both": both,
                "best_fisher_gain": differences["best_model - fisherfaces: auc"]["mean"]}
    return {name: {"measured": measured[key], "limit": limit, "met": bool(measured[key] >= limit)}
            for name, (key, limit) in TARGETS.items()}


def number(value, measure, sign=False):
    """A measure as the README shows it: AUC with 3 decimals, the others in percent (points)."""
    text = f"{value:+.3f}" if measure == "auc" else f"{100 * value:+.1f}"
    return (text if sign else text.lstrip("+")).replace("-", "−")


def readme_table(report):
    """README's Results block, written from a report."""
    summary, differences = report["summary"], report["paired_differences"]
    lines = [BEGIN, f"Measured with `python tests/run_by_hand/benchmark_splits.py --seed "
             f"{report['seed']} --write-report`: the notebook on {len(report['splits'])} splits "
             "of 10 test people, each split with a `SEED` of its own; every pair of the test "
             "people's photos. Mean ± standard error over the splits, and the worst split; each "
             "threshold was chosen on the validation people. Machine: "
             f"{report['machine']}; median run {report['median_notebook_seconds']:.0f} s.", "",
             "| method | AUC | EER | one-shot (10 people) | balanced accuracy at the threshold | "
             "worst AUC |", "| --- | --- | --- | --- | --- | --- |"]
    for method, name in METHODS.items():
        cells = [f"{number(summary[method][m]['mean'], m)} ± {number(summary[method][m]['se'], m)}"
                 + ("" if m == "auc" else " %") for m in MEASURES]
        lines.append(f"| {name} | {' | '.join(cells)} | "
                     f"{number(summary[method]['auc']['worst'], 'auc')} |")
    lines += ["", "| paired difference, split by split | AUC | EER (points) | one-shot (points) "
              "| balanced accuracy (points) | splits ahead on AUC |", "| --- | --- | --- | --- "
              "| --- | --- |"]
    for first, second in PAIRS:
        cells = []
        for m in MEASURES:
            d = differences[f"{first} - {second}: {m}"]
            cells.append(f"{number(d['mean'], m, sign=True)} ± {number(d['se'], m)}")
        ahead = differences[f"{first} - {second}: auc"]["ahead"]
        lines.append(f"| {METHODS[first]} − {METHODS[second]} | {' | '.join(cells)} | "
                     f"{ahead} of {len(report['splits'])} |")
    lines.append("")
    for name, target in report["targets"].items():
        value = target["measured"]
        shown = f"{value:+.3f}" if isinstance(value, float) else f"{value} of 12"
        limit = f"{target['limit']:+.3f}" if isinstance(value, float) else f"{target['limit']}"
        lines.append(f"* Target: {name}, at least {limit}. "
                     f"**{'Met' if target['met'] else 'Not met'}**: {shown}.")
    return "\n".join(lines + [END])


def write_report(report):
    """Record the report in benchmark_report.json and README's table."""
    REPORT.write_text(json.dumps(report, indent=1) + "\n")
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    README.write_text(text[:start] + readme_table(report) + text[end:])


def parse_value(text):
    """A -p value: JSON if it parses (numbers, lists, true), else the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv=None):
    """Run the benchmark, print it, and record it with --write-report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True, help="the split seed")
    parser.add_argument("--splits", type=int, default=12)
    parser.add_argument("--out", type=Path, help="default: outputs/benchmark/seed-N")
    parser.add_argument("--resume", action="store_true", help="read finished splits back")
    parser.add_argument("--write-report", action="store_true")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = parser.parse_args(argv)
    extra = {name: parse_value(value) for name, value in args.p}
    if args.write_report and extra:
        parser.error("a report runs the notebook as it is: no -p with --write-report")
    out = args.out or ROOT / "outputs" / "benchmark" / f"seed-{args.seed}"
    names = [f"s{k}" for k in range(1, 41)]
    splits = []
    for number_, (people, seed) in enumerate(zip(
            draw_splits(names, args.splits, 10, args.seed), split_seeds(args.seed, args.splits))):
        numbers, seconds = run_split(number_, people, seed, out, extra, args.resume)
        splits.append({"test_people": people, "seed": seed, "numbers": numbers,
                       "seconds": seconds})
        print(f"split {number_:2d} ({', '.join(people)}): " + "; ".join(
            f"{METHODS[m]} {numbers[m]['auc']:.3f}" for m in METHODS), flush=True)
    differences = paired(splits)
    report = {"seed": args.seed, "parameters": extra, "python": platform.python_version(),
              "machine": f"{os.cpu_count()}-core {platform.machine()} CPU, "
                         f"Python {platform.python_version()}, PyTorch {version('torch')}",
              "median_notebook_seconds": float(np.median([s["seconds"]["notebook"]
                                                          for s in splits])),
              "splits": splits, "summary": summarise(splits), "paired_differences": differences,
              "targets": targets(splits, differences)}
    report = json.loads(json.dumps(report, default=float))  # numpy numbers as plain floats
    print(readme_table(report))
    (out / "report.json").write_text(json.dumps(report, indent=1))
    if args.write_report:
        write_report(report)


if __name__ == "__main__":
    main()
