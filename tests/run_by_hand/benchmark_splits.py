"""Multi-split benchmark: run the notebook with papermill on seeded random held-out splits.

Not collected by pytest (its name does not start with test_). From the repository root:

    # 12 splits drawn with seed N; which seeds are tuning and which are report seeds: the
    # split-seed ledger in tests/records/RESULTS.md
    python tests/run_by_hand/benchmark_splits.py --seed N
    # the same, recorded as the project's report: tests/records/benchmark_report.json and README's
    # table
    python tests/run_by_hand/benchmark_splits.py --seed N --write-report

Each split holds out --people identities drawn at random from the folders of DATA_DIR with
numpy.random.default_rng(--seed), and runs the notebook with a SEED of its own, drawn from --seed
too (split_seeds): the networks' initial weights, their random views and the validation people then
differ from split to split, so that the report measures the recipe, not one draw of its seeds.
`-p SEED N` runs every split with the same SEED instead (as the reports up to seed 2034 did). Every
other parameter keeps its value from the notebook's parameters cell, except SANITY_CHECKS, which is
off: the benchmark measures every split, and a split where the network loses to a baseline is a
result to report, not a reason to stop.

Per split, the executed notebook, its metrics.json, its wall time (wall_seconds.txt) and the
parameters it ran with, SEED included (parameters.json), go to --out/split-NN/; with --resume, a
finished split is read back instead of run again, and refused if it ran with other parameters.

The script prints a line per split; the per-split table of tests/records/RESULTS.md; per method the
mean with its standard error over the splits and the worst split; the paired differences of each
network to the baselines measured under its conditions (the full model to Fisherfaces and raw
pixels fitted on every person not tested, with its threshold rule; the core network to those fitted
on its training people, with the validation threshold); on how many splits each network is ahead
and its pre-chosen threshold within SLACK of 1 - EER, and whether the TARGETS are met; how each
threshold rule did; and the times (information). It writes the report (report.json) and the
per-split table (summary.md) to --out. --write-report also records the report in
tests/records/benchmark_report.json and rewrites the part of README.md between its benchmark-table
markers; with --resume it rereads finished splits, so `--resume --write-report` records a finished
benchmark without running it again.
"""
import argparse
import json
import os
import platform
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the support modules of tests/
from notebook_code import ROOT, execute_notebook, load_notebook_code  # noqa: E402

# the methods of metrics.json["methods"], in the order they are shown, with their short names
METHODS = {"full_model": "full model", "core_network": "core network",
           "fisherfaces_full_model_conditions": "Fisherfaces",
           "raw_pixels_full_model_conditions": "raw pixels",
           "fisherfaces_core_conditions": "Fisherfaces (core conditions)",
           "raw_pixels_core_conditions": "raw pixels (core conditions)"}
# each network with the baselines measured under its conditions: Fisherfaces, then raw pixels
COMPARED = {"full_model": ("fisherfaces_full_model_conditions", "raw_pixels_full_model_conditions"),
            "core_network": ("fisherfaces_core_conditions", "raw_pixels_core_conditions")}
# where the metrics.json of notebooks from before the methods' renaming kept them: (section, key)
OLD_KEYS = {"full_model": ("methods", "siamese_network"),
            "fisherfaces_full_model_conditions": ("methods", "fisherfaces"),
            "raw_pixels_full_model_conditions": ("methods", "raw_pixels"),
            "fisherfaces_core_conditions": ("comparison", "Fisherfaces (section 7)"),
            "raw_pixels_core_conditions": ("comparison", "raw pixels (section 7)")}
MEASURES = ("auc", "eer", "one_shot", "balanced_accuracy")
SLACK = 0.02  # a threshold is within slack when its balanced accuracy is >= (1 - EER) - SLACK
SEED_SPACING = 1000  # the notebook seeds networks with SEED to SEED + 103: no two splits share one
AHEAD = "full model ahead of Fisherfaces on AUC and EER"
WITHIN = f"full model: balanced accuracy at the pre-chosen threshold >= (1 - EER) - {SLACK:.2f}"
TARGETS = {AHEAD: 0.85, WITHIN: 0.90}  # the share of the splits each claim should hold on
REPORT = ROOT / "tests" / "records" / "benchmark_report.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- benchmark table -->", "<!-- /benchmark table -->"
REPORT_INPUTS = ("seed", "command", "note", "machine", "recipe", "splits", "threshold_rules")


def draw_splits(names, count, people, seed):
    """count sorted lists of `people` identity names, drawn without replacement within a split."""
    rng = np.random.default_rng(seed)
    return [sorted((names[i] for i in rng.choice(len(names), people, replace=False)),
                   key=names.index) for _ in range(count)]


def split_seeds(seed, count):
    """Each split's notebook SEED: distinct multiples of SEED_SPACING, drawn with the split seed
    from a stream of their own (the splits drawn with that seed stay as they were); the first
    splits get the same SEEDs whatever the count, as draw_splits gives them the same people."""
    rng, seeds = np.random.default_rng([seed, 1]), []
    while len(seeds) < count:
        drawn = int(rng.integers(10**6)) * SEED_SPACING
        seeds += [drawn] if drawn not in seeds else []
    return seeds


def identity_names(data_dir):
    """The person folder names of data_dir in the notebook's order (fetching the faces first if
    needed)."""
    nb = load_notebook_code()
    nb.fetch_att_faces(ROOT / data_dir, os.environ.get("ATT_FACES_SOURCE"), nb.ATT_FACES_URL,
                       nb.ATT_FACES_MD5, nb.OLIVETTI_FALLBACK)
    return nb.load_faces(ROOT / data_dir, nb.IMAGE_SIZE, nb.RAW_PIXEL_SIZE)[3]


def run_parameters(split, extra):
    """What a split folder's parameters.json records: the held-out people and the other notebook
    parameters, SEED among them."""
    return json.loads(json.dumps({"split": list(split), "parameters": extra}))


def run_split(split, output_dir, extra, resume=False):
    """Execute the notebook on one split (or, with resume, read back a finished one): metrics.json
    and the wall time.

    A finished split is reused only if its parameters.json matches split and extra; otherwise (or
    without parameters.json) resume stops with a ValueError rather than mix runs of different
    parameters."""
    output_dir = Path(output_dir)
    metrics_file, seconds_file = output_dir / "metrics.json", output_dir / "wall_seconds.txt"
    parameters_file, wanted = output_dir / "parameters.json", run_parameters(split, extra)
    if resume and metrics_file.is_file() and seconds_file.is_file():
        if not parameters_file.is_file():
            raise ValueError(f"--resume: {output_dir} holds a finished split but no "
                             "parameters.json, so it cannot tell which parameters it ran with; use "
                             "another --out or drop --resume")
        found = json.loads(parameters_file.read_text())
        if found != wanted:
            raise ValueError(f"--resume: {output_dir} holds a split run with other parameters "
                             f"({found}, not {wanted}); use another --out or drop --resume")
        return json.loads(metrics_file.read_text()), float(seconds_file.read_text())
    parameters_file.unlink(missing_ok=True)  # written again only once this run has finished
    started = time.perf_counter()
    execute_notebook(output_dir, TEST_PEOPLE=list(split), **extra)
    seconds = time.perf_counter() - started
    seconds_file.write_text(f"{seconds:.1f}\n")
    parameters_file.write_text(json.dumps(wanted, indent=2) + "\n")
    return json.loads(metrics_file.read_text()), seconds


def method_numbers(metrics, method):
    """One method's entry of a metrics.json, under its key or where older notebooks kept it
    (OLD_KEYS); None when the run has no such method."""
    if method in metrics["methods"]:
        return metrics["methods"][method]
    section, key = OLD_KEYS.get(method, ("methods", method))
    return metrics.get(section, {}).get(key)


def row(metrics):
    """The numbers of one split: the four measures of each method the metrics hold."""
    return {method: {m: found[m] for m in MEASURES} for method in METHODS
            if (found := method_numbers(metrics, method)) is not None}


def methods_in(rows):
    """The methods present on every split, in METHODS order."""
    return [method for method in METHODS if all(method in r for r in rows)]


def standard_error(values):
    """The standard error of the mean of values (None for fewer than two)."""
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else None


def summarise(rows):
    """Per method: the mean, its standard error over the splits and the worst split (lowest AUC,
    one-shot, balanced accuracy; highest EER) of each measure, None for a measure some split lacks;
    and the number (from 1) of the split with the lowest AUC."""
    out = {}
    for method in methods_in(rows):
        stats = {"mean": {}, "standard_error": {}, "worst": {}}
        for m in MEASURES:
            values = [r[method][m] for r in rows]
            known = None not in values
            stats["mean"][m] = float(np.mean(values)) if known else None
            stats["standard_error"][m] = standard_error(values) if known else None
            worst = (max if m == "eer" else min)(values) if known else None
            stats["worst"][m] = float(worst) if known else None
        stats["worst_split"] = int(np.argmin([r[method]["auc"] for r in rows])) + 1
        out[method] = stats
    return out


def paired_differences(rows):
    """Per network and each of its baselines (COMPARED) on every split: the mean over the splits of
    the network's number minus the baseline's and its standard error, per measure (None where a
    number is missing)."""
    out = {}
    present = methods_in(rows)
    for network, baselines in COMPARED.items():
        for baseline in (b for b in baselines if network in present and b in present):
            stats = {"network": network, "baseline": baseline, "mean": {}, "standard_error": {}}
            for m in MEASURES:
                pairs = [(r[network][m], r[baseline][m]) for r in rows]
                known = all(None not in pair for pair in pairs)
                differences = [n - b for n, b in pairs] if known else []
                stats["mean"][m] = float(np.mean(differences)) if known else None
                stats["standard_error"][m] = standard_error(differences) if known else None
            out[f"{network} - {baseline}"] = stats
    return out


def count_wins(rows):
    """Per network present: (description, splits where it holds, splits in all) against its
    baselines (COMPARED) and SLACK."""
    counts = []
    present = methods_in(rows)
    for network, (fisher, pixels) in COMPARED.items():
        if network not in present:
            continue
        name, total = METHODS[network], len(rows)
        if fisher in present:
            counts.append((f"{name} ahead of Fisherfaces on AUC and EER",
                           sum(r[network]["auc"] > r[fisher]["auc"]
                               and r[network]["eer"] < r[fisher]["eer"] for r in rows), total))
        if pixels in present:
            counts.append((f"{name} ahead of raw pixels on AUC, EER and one-shot",
                           sum(r[network]["auc"] > r[pixels]["auc"]
                               and r[network]["eer"] < r[pixels]["eer"]
                               and r[network]["one_shot"] > r[pixels]["one_shot"] for r in rows),
                           total))
        counts.append((f"{name}: balanced accuracy at the pre-chosen threshold >= (1 - EER) - "
                       f"{SLACK:.2f}", sum(r[network]["balanced_accuracy"]
                                           >= 1 - r[network]["eer"] - SLACK for r in rows), total))
    return counts


def check_targets(counts):
    """Each of TARGETS that counts has: on how many splits it holds, of how many, the share aimed
    at, and whether that share is reached."""
    found = {description: (holds, total) for description, holds, total in counts}
    return [{"claim": claim, "splits": found[claim][0], "of": found[claim][1],
             "target_share": share, "met": found[claim][0] >= share * found[claim][1]}
            for claim, share in TARGETS.items() if claim in found]


def threshold_gaps(rows, network="full_model"):
    """Mean and worst gap of a network's balanced accuracy at its pre-chosen threshold to
    1 - EER."""
    gaps = [r[network]["balanced_accuracy"] - (1 - r[network]["eer"]) for r in rows]
    return {"mean": float(np.mean(gaps)), "worst": float(min(gaps))}


def timing(train_seconds, notebook_seconds):
    """Median, mean, shortest and longest training and whole-notebook time in seconds, for those
    known on every split (information, not a pass/fail check)."""
    return {name: {"median": float(np.median(values)), "mean": float(np.mean(values)),
                   "min": float(np.min(values)), "max": float(np.max(values))}
            for name, values in (("training", train_seconds), ("notebook", notebook_seconds))
            if values and None not in values}


def compare_threshold_rules(all_metrics):
    """Per threshold rule the notebook records (threshold_rules in metrics.json): mean balanced
    accuracy, worst gap to 1 - EER and on how many splits it is within SLACK of 1 - EER. Empty for
    older metrics."""
    if not all(m.get("threshold_rules") for m in all_metrics):
        return {}
    comparison = {}
    eers = np.array([method_numbers(m, "full_model")["eer"] for m in all_metrics])
    for rule in all_metrics[0]["threshold_rules"]:
        balanced = np.array([m["threshold_rules"][rule]["balanced_accuracy"] for m in all_metrics])
        gaps = balanced - (1 - eers)
        comparison[rule] = {"mean_balanced_accuracy": float(balanced.mean()),
                            "mean_gap": float(gaps.mean()), "worst_gap": float(gaps.min()),
                            "within_slack": int((gaps >= -SLACK).sum())}
    return comparison


def machine(all_metrics):
    """The machine the runs ran on: CPU model, cores, memory and Python of this machine; the device
    and the PyTorch version from the runs' metrics.json."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        cpuinfo = []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor() or "unknown CPU")
    memory = (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
              if hasattr(os, "sysconf") else 0)
    return {"cpu": cpu, "architecture": platform.machine(), "cores": os.cpu_count(),
            "memory_gib": round(memory / 2**30), "python": platform.python_version(),
            "device": ", ".join(sorted({m.get("device", "unknown") for m in all_metrics})),
            "torch": ", ".join(sorted({m.get("torch", "unknown") for m in all_metrics}))}


def machine_text(d):
    """A machine in words: '2-core x86-64 CPU (AMD EPYC), 24 GiB, no GPU, Python 3.11, ...'."""
    device = "no GPU" if d["device"] == "cpu" else f"device {d['device']}"
    python = ".".join(d["python"].split(".")[:2])
    torch_version = ", ".join(v.split("+")[0] for v in d["torch"].split(", "))
    return (f"{d['cores']}-core {d['architecture'].replace('_', '-')} CPU ({d['cpu']}), "
            f"{d['memory_gib']} GiB, {device}, Python {python}, PyTorch {torch_version}")


def number(value, measure, sign=False):
    """A measure as the tables show it: AUC with three decimals, the others in per cent with one;
    with a sign for differences (a true minus sign); a dash for a number not known."""
    if value is None:
        return "—"
    plus = "+" if sign else ""
    text = f"{value:{plus}.3f}" if measure == "auc" else f"{value * 100:{plus}.1f}"
    return text.replace("-", "−")


def with_error(mean, error, measure, sign=False):
    """'mean ± standard error' with the unit of the measure (' %', or ' points' for a
    difference)."""
    if mean is None:
        return "—"
    unit = "" if measure == "auc" else (" points" if sign else " %")
    spread = "" if error is None else f" ± {number(error, measure)}"
    return f"{number(mean, measure, sign)}{spread}{unit}"


LABELS = {"core_network": "core network (1 network, plain distance, validation threshold)",
          "fisherfaces_full_model_conditions": "Fisherfaces (PCA + LDA), full model's conditions",
          "raw_pixels_full_model_conditions": "raw pixels, full model's conditions",
          "fisherfaces_core_conditions": "Fisherfaces (PCA + LDA), core network's conditions",
          "raw_pixels_core_conditions": "raw pixels, core network's conditions"}


def opening(report):
    """The report's first paragraph: what was run, how, on which machine, and the training time."""
    splits, training = report["splits"], report["timing"]["training"]
    seeds = [s["notebook_seed"] for s in splits]
    if len(set(seeds)) == len(seeds):
        seeding = "each split with a notebook `SEED` of its own, drawn with the same seed"
    elif len(set(seeds)) == 1:
        seeding = (f"every split with the notebook's `SEED` {seeds[0]}, so that the splits share "
                   "one draw of the networks' seeds")
    else:
        seeding = "with the notebook `SEED`s the report lists"
    first = splits[0]
    pairs = (f" ({first['pairs']:,} pairs, {first['genuine_pairs']:,} genuine)"
             if first.get("pairs") is not None else "")
    return (f"Measured with `{report['command']}`: the notebook on {len(splits)} splits of "
            f"{len(first['held_out'])} test people drawn with seed {report['seed']}, {seeding}; "
            f"every pair of the test people's photos{pairs}. Mean ± standard error over the "
            "splits, and the worst split's AUC; the thresholds are fixed before the test people "
            "are looked at. "
            f"Machine: {machine_text(report['machine'])}; the full model takes "
            f"{report['training_seconds_quoted']} s of training per split (median over the splits; "
            f"{training['min']:.0f}–{training['max']:.0f} s).")


def report_markdown(report):
    """The part of README.md between the benchmark-table markers, from the report's numbers."""
    splits, summary, recipe, count = (report["splits"], report["summary"], report["recipe"],
                                      len(report["splits"]))
    labels = {**LABELS, "full_model": f"**full model** ({recipe['n_models']} networks, mirror "
              f"and {len(recipe['search_zooms'])} scales, calibrated threshold)"}
    lines = [opening(report), ""] + ([f"*{report['note']}*", ""] if report["note"] else [])
    people = len(splits[0]["held_out"])
    lines += [f"| method | AUC | EER | one-shot ({people} people) | balanced accuracy at the "
              "threshold | worst AUC |",
              "| --- | --- | --- | --- | --- | --- |"]
    for method, stats in summary.items():
        bold = "**" if method == "full_model" else ""
        cells = [with_error(stats["mean"][m], stats["standard_error"][m], m) for m in MEASURES]
        cells.append(number(stats["worst"]["auc"], "auc"))
        lines.append(f"| {labels[method]} | "
                     + " | ".join(f"{bold}{c}{bold}" for c in cells) + " |")
    counts = {description: holds for description, holds, _ in report["counts"]}
    lines += ["", f"| paired difference (mean ± standard error over the {count} splits) | AUC | "
              "EER | one-shot | balanced accuracy | splits ahead |",
              "| --- | --- | --- | --- | --- | --- |"]
    for stats in report["paired"].values():
        network = METHODS[stats["network"]]
        versus = "Fisherfaces" if stats["baseline"].startswith("fisherfaces") else "raw pixels"
        on = "AUC and EER" if versus == "Fisherfaces" else "AUC, EER and one-shot"
        ahead = counts.get(f"{network} ahead of {versus} on {on}")
        cells = [with_error(stats["mean"][m], stats["standard_error"][m], m, sign=True)
                 for m in MEASURES]
        lines.append(f"| {network} − {versus}, {network}'s conditions | " + " | ".join(cells)
                     + f" | {'—' if ahead is None else f'{ahead} of {count}'} on {on} |")
    full = summary["full_model"]
    gaps = report["threshold_gaps"]
    lines += ["", f"* The full model's worst split holds out "
              f"{', '.join(splits[full['worst_split'] - 1]['held_out'])} (AUC "
              f"{number(full['worst']['auc'], 'auc')}).",
              f"* Its pre-chosen threshold gives on average {abs(gaps['mean']) * 100:.1f} points "
              f"{'less' if gaps['mean'] < 0 else 'more'} than the best possible (1 − EER), at "
              f"worst {abs(gaps['worst']) * 100:.1f} points "
              f"{'less' if gaps['worst'] < 0 else 'more'}."]
    words = {AHEAD: "ahead of Fisherfaces on both AUC and EER",
             WITHIN: f"with its threshold within {SLACK * 100:.0f} points of 1 − EER"}
    for t in report["targets"]:
        lines.append(f"* Target: the full model {words[t['claim']]} on at least "
                     f"{t['target_share'] * 100:.0f} % of the splits. "
                     f"**{'Met' if t['met'] else 'Not met'}**: {t['splits']} of {t['of']} "
                     f"({t['splits'] / t['of'] * 100:.0f} %).")
    return "\n".join(line if line.startswith("|") else wrap(line) for line in lines)


def wrap(paragraph, width=110):
    """A paragraph or bullet wrapped as README's prose is (tables stay one line a row), never
    between a number and its per cent sign or inside a verdict."""
    kept = (" %", "Not met")
    for words in kept:
        paragraph = paragraph.replace(words, words.replace(" ", "\u00a0"))
    wrapped = textwrap.fill(paragraph, width, subsequent_indent="  " * paragraph.startswith("* "),
                            break_long_words=False, break_on_hyphens=False)
    return wrapped.replace("\u00a0", " ")


def markdown_table(splits, summary):
    """RESULTS-ready table: one line per split (with its notebook SEED), then mean and worst; a
    column for each method recorded on every split."""
    shown = [m for m in METHODS if m in summary]

    def cells(values, method):
        measures = MEASURES if method in COMPARED else MEASURES[:3]  # networks: bal. acc. too
        return " / ".join(number(values[m], m) + ("%" if m != "auc" and values[m] is not None
                                                   else "") for m in measures)
    heads = [f"{METHODS[m]} AUC / EER / one-shot" + (" / bal. acc." if m in COMPARED else "")
             for m in shown]
    lines = ["| split (held out) | SEED | " + " | ".join(heads) + " | training |",
             "| --- | --- | " + "--- | " * len(shown) + "--- |"]
    for s in splits:
        lines.append(f"| {', '.join(s['held_out'])} | {s['notebook_seed']} | "
                     + " | ".join(cells(s["methods"][m], m) for m in shown)
                     + f" | {s['train_seconds']:.0f} s |")
    seconds = [s["train_seconds"] for s in splits]
    for kind, pick in (("mean", np.mean), ("worst", np.max)):
        lines.append(f"| **{kind}** | | " + " | ".join(
            f"**{cells(summary[m][kind], m)}**" if m == "full_model" else cells(summary[m][kind], m)
            for m in shown) + f" | {pick(seconds):.0f} s |")
    return "\n".join(lines)


def make_report(seed, command, note, machine, recipe, splits, threshold_rules):
    """The recorded report: its inputs (split records: held_out, notebook_seed, methods,
    train_seconds, notebook_seconds, pairs, genuine_pairs), all computed from them, and the
    markdown of README and of tests/records/RESULTS.md."""
    rows = [s["methods"] for s in splits]
    counts = count_wins(rows)
    times = timing([s["train_seconds"] for s in splits], [s["notebook_seconds"] for s in splits])
    report = {"seed": seed, "command": command, "note": note, "machine": machine, "recipe": recipe,
              "splits": splits, "threshold_rules": threshold_rules, "summary": summarise(rows),
              "paired": paired_differences(rows), "counts": [list(c) for c in counts],
              "targets": check_targets(counts), "threshold_gaps": threshold_gaps(rows),
              "timing": times, "training_seconds_quoted": round(times["training"]["median"])}
    report["per_split_table"] = markdown_table(splits, report["summary"])
    report["markdown"] = report_markdown(report)
    return json.loads(json.dumps(report))


def block_span(text):
    """Where the text between README's benchmark-table marker lines starts and ends."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"README.md must hold one {BEGIN} line and, after it, one {END} line")
    return text.index(BEGIN) + len(BEGIN) + 1, text.index(END)


def readme_block(text):
    """The text of README between the benchmark-table marker lines."""
    start, end = block_span(text)
    return text[start:end].removesuffix("\n")


def write_report(report, report_file=None, readme_file=None):
    """Record the report as the project's: its JSON, and its markdown between README's markers."""
    report_file, readme_file = Path(report_file or REPORT), Path(readme_file or README)
    text = readme_file.read_text(encoding="utf-8")
    start, end = block_span(text)
    readme_file.write_text(text[:start] + report["markdown"] + "\n" + text[end:], encoding="utf-8")
    report_file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")


def split_line(number_, split, r, train_seconds, notebook_seconds):
    """One progress line: the networks' four measures and Fisherfaces', then the times."""
    def measures(v):
        return (f"AUC {v['auc']:.3f} EER {v['eer']:.1%} one-shot {v['one_shot']:.1%} "
                f"bal.acc {v['balanced_accuracy']:.1%}")
    core = f" | core network {measures(r['core_network'])}" if "core_network" in r else ""
    f = r.get("fisherfaces_full_model_conditions")
    fisher = f" | Fisherfaces {f['auc']:.3f} {f['eer']:.1%} {f['one_shot']:.1%}" if f else ""
    return (f"split {number_:2d} [{', '.join(split)}]: full model {measures(r['full_model'])}"
            f"{core}{fisher} | training {train_seconds:.0f} s, notebook {notebook_seconds:.0f} s")


def parse_arguments(argv=None):
    """The command line; --write-report refuses parameters other than the notebook's own."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True,
                        help="seed that draws the splits and their notebook SEEDs: the next unused "
                        "seed of the ledger (tests/records/RESULTS.md) for a report")
    parser.add_argument("--splits", type=int, default=12, help="how many splits (default 12)")
    parser.add_argument("--people", type=int, default=10,
                        help="identities held out per split (default 10)")
    parser.add_argument("--data-dir", default="data/att_faces", help="DATA_DIR for the notebook")
    parser.add_argument("--out", default="outputs/benchmark",
                        help="folder for the executed notebooks and the report")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"),
                        help="another notebook parameter, VALUE in JSON (e.g. -p EPOCHS 10); "
                             "repeatable; -p SEED N runs every split with SEED N")
    parser.add_argument("--resume", action="store_true",
                        help="read back splits already finished in --out with the same parameters")
    parser.add_argument("--write-report", action="store_true",
                        help="record the result as the project's report: "
                             "tests/records/benchmark_report.json and README.md's results table")
    args = parser.parse_args(argv)
    if args.write_report and args.parameter:
        parser.error("--write-report records the notebook as it is: drop the -p parameters")
    return args


def main(argv=None):
    args = parse_arguments(argv)
    extra = {"DATA_DIR": args.data_dir, "SANITY_CHECKS": False,
             **{name: json.loads(value) for name, value in args.parameter}}
    out = ROOT / args.out
    names = identity_names(args.data_dir)
    splits = draw_splits(names, args.splits, args.people, args.seed)
    fixed = "SEED" in extra
    seeds = [extra["SEED"]] * len(splits) if fixed else split_seeds(args.seed, len(splits))
    print(f"{args.splits} splits of {args.people} of {len(names)} identities, drawn with seed "
          f"{args.seed}; " + (f"every split with SEED {extra['SEED']}" if fixed
                              else "a notebook SEED per split"))
    records, all_metrics = [], []
    for number_, (split, notebook_seed) in enumerate(zip(splits, seeds), 1):
        metrics, seconds = run_split(split, out / f"split-{number_:02d}",
                                     {**extra, "SEED": notebook_seed}, args.resume)
        all_metrics.append(metrics)
        records.append({"held_out": list(split), "notebook_seed": notebook_seed,
                        "methods": row(metrics), "train_seconds": metrics["train_seconds"],
                        "notebook_seconds": round(seconds, 1),
                        "pairs": metrics.get("held_out_pairs"),
                        "genuine_pairs": metrics.get("genuine_pairs")})
        print(split_line(number_, split, records[-1]["methods"], metrics["train_seconds"],
                         seconds), flush=True)
    command = " ".join(["python tests/run_by_hand/benchmark_splits.py", f"--seed {args.seed}"]
                       + [f"--splits {args.splits}"] * (args.splits != 12)
                       + [f"--people {args.people}"] * (args.people != 10)
                       + [f"-p {name} {value}" for name, value in args.parameter])
    recipe = {key: all_metrics[0].get(key) for key in ("n_models", "search_zooms", "epochs")}
    report = make_report(args.seed, command, None, machine(all_metrics), recipe, records,
                         compare_threshold_rules(all_metrics))
    print("\n" + report["per_split_table"] + "\n\n" + report["markdown"] + "\n")
    for description, holds, total in report["counts"]:
        print(f"on {holds:2d} of {total} splits: {description}")
    for t in report["targets"]:
        print(f"target: {t['claim']} on at least {t['target_share']:.0%} of the splits: "
              f"{'met' if t['met'] else 'NOT MET'} ({t['splits']} of {t['of']})")
    if report["threshold_rules"]:
        print("\nthreshold rules of the full model (balanced accuracy; gap to 1 - EER):")
        for rule, c in report["threshold_rules"].items():
            print(f"  {rule:32s} mean {c['mean_balanced_accuracy']:.1%}, mean gap "
                  f"{c['mean_gap'] * 100:+.1f} points, worst {c['worst_gap'] * 100:+.1f}, within "
                  f"{SLACK * 100:.0f} points on {c['within_slack']} of {len(records)}")
    training, notebook = report["timing"]["training"], report["timing"]["notebook"]
    print(f"\ntime (information): training median {training['median']:.0f} s, longest "
          f"{training['max']:.0f} s; whole notebook median {notebook['median']:.0f} s, longest "
          f"{notebook['max']:.0f} s")
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text(report["per_split_table"] + "\n")
    (out / "report.json").write_text(json.dumps({**report, "parameters": extra}, indent=2,
                                                ensure_ascii=False) + "\n")
    if args.write_report:
        write_report(report)
        print("\nwrote tests/records/benchmark_report.json and README.md's results table")


if __name__ == "__main__":
    main()
