"""report.py: turns build/bench/results.tsv (written by bench.sh) into the
Markdown tables of `make bench`.

  report.py RESULTS.tsv [PROFILE.txt] > bench.md

PROFILE.txt, when it exists, is `perf report --no-children` of fused label.

Rows of the TSV, tab-separated:
  meta KEY VALUE
  tput KEY LABEL PARAS BYTES WALLS CPUS MAXRSS_KB NOTE   (WALLS, CPUS: a,b,c)
  mem KEY LABEL BYTES MAXRSS_KB WALL
  train TOOL N STATUS SECONDS MAXRSS_KB WALL             (STATUS ok|timeout|...)
  acc TOOL FIELD ACCURACY MACRO_F1
"""
import math
import statistics
import sys

TRAIN_NAMES = {
    "stance": "stance train (defaults: probabilities on)",
    "stance-grid": "stance train --grid (C by 5-fold CV)",
    "sklearn": "scikit-learn LinearSVC (TF-IDF w1-3 + c2-5)",
    "sklearn-cal": "scikit-learn CalibratedClassifierCV(LinearSVC, cv=5)",
    "fasttext": "fasttext supervised (w2, c2-5, 25 epochs, 1 thread)",
}
ACC_NAMES = {
    "stance": "stance (the models timed above)",
    "fasttext-char": "fastText w2 + c2-5",
    "fasttext-word": "fastText w2, no char n-grams",
    "sklearn": "scikit-learn TF-IDF + LinearSVC (C=1)",
}


def nums(s):
    return [float(x) for x in s.split(",") if x]


def mb(nbytes):
    return float(nbytes) / 1e6


def fmt_s(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def main(path, profile=None):
    meta, tput, mem, train, acc = {}, [], [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if r[0] == "meta":
                meta[r[1]] = r[2] if len(r) > 2 else ""
            elif r[0] == "tput":
                tput.append(r[1:])
            elif r[0] == "mem":
                mem.append(r[1:])
            elif r[0] == "train":
                train.append(r[1:])
            elif r[0] == "acc":
                acc.append(r[1:])
    out = []
    p = out.append

    p("## Benchmark")
    p("")
    p(f"Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, "
      f"{meta.get('memory', '?')}, {meta.get('kernel', '?')}; "
      f"{meta.get('date', '?')}; load average at start "
      f"{meta.get('load', '?')}. stance {meta.get('stance', '?')}; "
      f"{meta.get('versions', '')}.")
    p(f"Settings: {meta.get('settings', '')}. Corpus: {meta.get('corpus', '?')}.")
    if meta.get("models"):
        p(f"Note: {meta['models']}.")
    p("")

    # ---- throughput
    rates, round_rates = {}, {}
    rows = []
    for key, label, paras, nbytes, walls, cpus, rss, note in tput:
        if not walls:
            rows.append((key, label, paras, nbytes, None, None, None, note or "failed"))
            continue
        wall = statistics.median(nums(walls))
        # /usr/bin/time counts in 10 ms steps
        cpu = max(statistics.median(nums(cpus)), 0.01)
        rates[key] = mb(nbytes) / cpu
        round_rates[key] = [mb(nbytes) / max(c, 0.01) for c in nums(cpus)]
        rows.append((key, label, paras, nbytes, wall, cpu, int(rss), note))
    base = rates.get("ftchar")

    def vs_fasttext(key):
        """The median over rounds of the rate against fastText's rate in
        the same round: the commands ran interleaved, so a round's pair
        saw the same machine, and its drift cancels out of the ratio."""
        mine, theirs = round_rates.get(key), round_rates.get("ftchar")
        if not mine or not theirs:
            return None
        if len(mine) != len(theirs):  # a failed round: fall back to medians
            return rates[key] / base
        return statistics.median(a / b for a, b in zip(mine, theirs))
    p("### Labelling throughput, one core")
    p("")
    p("Each command pinned to one core with taskset; the commands ran in "
      "interleaved rounds (each once per round) and the table shows medians "
      "over the rounds, except the ratio to fastText, which is the median "
      "of each round's own ratio, so that the machine's drift cancels. Rates are computed from CPU time (user + sys, all processes of "
      "the command): on one pinned core it equals the wall time of a quiet "
      "machine, and it leaves out the time other work held the core. The "
      "wall-clock median is shown beside it. MB = 10^6 bytes of paragraph "
      "text. Peak RSS is the largest of the runs (for the pipe: of its "
      "largest process).")
    p("")
    p("| command | input | CPU s | wall s | paragraphs/s | MB/s | peak RSS MB | vs fastText c2-5 | note |")
    p("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for key, label, paras, nbytes, wall, cpu, rss, note in rows:
        label = label.replace("|", "\\|")
        inp = f"{mb(nbytes):.1f} MB, {int(paras):,} par."
        if wall is None:
            p(f"| {label} | {inp} | — | — | — | — | — | — | {note} |")
            continue
        r = vs_fasttext(key)
        ratio = f"{r:.2f}×" if r else "—"
        p(f"| {label} | {inp} | {fmt_s(cpu)} | {fmt_s(wall)} | "
          f"{fmt_rate(int(paras) / cpu)} | {fmt_rate(mb(nbytes) / cpu)} | "
          f"{rss / 1024:.1f} | {ratio} | {note} |")
    p("")

    # ---- memory
    if mem:
        p("### Peak memory of `stance label` with both default models, by input size")
        p("")
        p("| input | peak RSS MB | CPU s | MB/s |")
        p("|---|---:|---:|---:|")
        for key, label, nbytes, rss, cpu in mem:
            kind = " of random words (every word new)" if key == "random" else " of corpus text"
            p(f"| {mb(nbytes):.1f} MB{kind} | {int(rss) / 1024:.1f} | "
              f"{fmt_s(float(cpu))} | {fmt_rate(mb(nbytes) / max(float(cpu), 0.01))} |")
        p("")

    # ---- training
    sizes = sorted({int(r[1]) for r in train})
    tools = []
    for r in train:
        if r[0] not in tools:
            tools.append(r[0])
    cell = {(r[0], int(r[1])): r for r in train}
    secs_of = {}
    if train:
        p("### Training time (field stance), one core")
        p("")
        p("The train split repeated to each size, every copy after the first "
          "lightly perturbed (a word dropped or two swapped). CPU seconds "
          "(user + sys, child processes included); the timeout is a CPU-time "
          "limit per process, and a point whose time extrapolated from the "
          "smaller sizes exceeds the timeout is not run (~: by the fitted "
          "growth; ≥: a linear lower bound from one size). stance's times are the whole command (reading, n-grams, "
          "fitting, writing; its -j processes share the one core); "
          "scikit-learn's are in-process (vectorizing + fitting); fastText's "
          "the whole command (it also writes an 800 MB model). The growth "
          "exponent k fits time ∝ n^k over the sizes that finished.")
        p("")
        p("| tool | " + " | ".join(f"{n:,}" for n in sizes) + " | growth k | peak RSS MB (largest done) |")
        p("|---|" + "---:|" * len(sizes) + "---:|---:|")
        for t in tools:
            cells, pts, last_rss = [], [], None
            for n in sizes:
                r = cell.get((t, n))
                if not r:
                    cells.append("")
                elif r[2] == "ok":
                    s = float(r[3])
                    secs_of[(t, n)] = s
                    pts.append((n, s))
                    last_rss = int(r[4]) / 1024 if r[4] else None
                    cells.append(f"{fmt_s(s)} s")
                elif r[2] == "timeout":
                    cells.append(f"timeout >{r[3]} s")
                elif r[2] == "skipped":
                    cells.append("not run (timed out smaller)")
                elif r[2] == "predicted":
                    cells.append(f"not run (~{int(r[3]):,} s predicted)")
                elif r[2] == "atleast":
                    cells.append(f"not run (≥ {int(r[3]):,} s predicted)")
                else:
                    cells.append(r[2])
            k = "—"
            if len(pts) >= 2:
                xs = [math.log(n) for n, _ in pts]
                ys = [math.log(max(s, 1e-3)) for _, s in pts]
                mx, my = statistics.mean(xs), statistics.mean(ys)
                k = f"{sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs):.2f}"
            rss = f"{last_rss:.0f}" if last_rss else "—"
            p(f"| {TRAIN_NAMES.get(t, t)} | " + " | ".join(cells) + f" | {k} | {rss} |")
        p("")

    # ---- accuracy
    accs = {}
    if acc:
        fields = []
        for r in acc:
            if r[1] not in fields:
                fields.append(r[1])
        tools_a = []
        for r in acc:
            if r[0] not in tools_a:
                tools_a.append(r[0])
        for r in acc:
            accs[(r[0], r[1])] = (float(r[2]), float(r[3]))
        p("### Accuracy on the test split (fixtures/corpus/test.jsonl), trained on the train split")
        p("")
        p("| tool | " + " | ".join(f"{f} macro-F1 | {f} accuracy" for f in fields) + " |")
        p("|---|" + "---:|---:|" * len(fields))
        for t in tools_a:
            cells = []
            for f in fields:
                a = accs.get((t, f))
                cells += [f"{a[1]:.3f}", f"{a[0]:.3f}"] if a else ["", ""]
            p(f"| {ACC_NAMES.get(t, t)} | " + " | ".join(cells) + " |")
        p("")

    # ---- targets of issue 7
    def yes(ok):
        return "met" if ok else "**not met**"
    tg = []
    l1, l2, pipe = rates.get("label1"), rates.get("label2"), rates.get("pipe")
    if l1 and base:
        r = vs_fasttext("label1")
        tg.append(("fused label, stance model: ≥ 10× fastText c2-5 and ≥ 25 MB/s",
                   f"{r:.2f}×, {l1:.1f} MB/s", yes(r >= 10 and l1 >= 25)))
    if l2:
        tg.append(("fused label, both models: ≥ 15 MB/s", f"{l2:.1f} MB/s", yes(l2 >= 15)))
    if mem:
        peak = max(int(r[3]) for r in mem) / 1024
        lo = min(int(r[3]) for r in mem) / 1024
        tg.append(("both models: peak RSS ≤ 64 MB, flat in input size "
                   "(every row of the memory table)",
                   f"{lo:.1f}–{peak:.1f} MB", yes(peak <= 64 and peak - lo <= 8)))
    if pipe and base:
        r = vs_fasttext("pipe")
        tg.append(("three-stage pipe ≥ fastText c2-5", f"{r:.2f}×", yes(r >= 1)))
    if ("stance", 3000) in secs_of and ("sklearn-cal", 3000) in secs_of:
        r = secs_of[("stance", 3000)] / secs_of[("sklearn-cal", 3000)]
        tg.append(("training 3k (probabilities) ≤ 3× CalibratedClassifierCV(LinearSVC)",
                   f"{r:.1f}×", yes(r <= 3)))
    elif ("sklearn-cal", 3000) in secs_of:
        tg.append(("training 3k (probabilities) ≤ 3× CalibratedClassifierCV(LinearSVC)",
                   "stance did not finish", yes(False)))
    s_acc, f_acc = accs.get(("stance", "stance")), accs.get(("fasttext-char", "stance"))
    if s_acc and f_acc:
        tg.append(("stance macro-F1 ≥ fastText c2-5 (field stance)",
                   f"{s_acc[1]:.3f} vs {f_acc[1]:.3f}", yes(s_acc[1] >= f_acc[1])))
    if tg:
        p("### Targets of issue 7")
        p("")
        p("| target | measured | |")
        p("|---|---|---|")
        for a, b, c in tg:
            p(f"| {a} | {b} | {c} |")
        p("")
    if profile:
        try:
            with open(profile, encoding="utf-8") as f:
                prof = [line.split() for line in f if "%" in line]
        except OSError:
            prof = []
        if prof:
            p("### Where fused `stance label` (both models) spends its time (perf)")
            p("")
            p("| self | function | object |")
            p("|---:|---|---|")
            for r in prof:
                # "12.3%  comm  object  [.]  symbol"
                p(f"| {r[0]} | `{' '.join(r[4:])}` | {r[2]} |")
            p("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
