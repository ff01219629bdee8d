"""prep.py: the inputs of the benchmark and the comparison, made from the
corpus so every tool reads the same paragraphs.

  prep.py input OUTDIR MB CORPUS.jsonl...
      OUTDIR/input.jsonl  {"id","text"} lines, the corpus paragraphs repeated
                          until their text reaches MB megabytes (10^6 bytes),
                          every copy after the first lightly perturbed (as
                          below) so that repeats are (nearly all) distinct and
                          a cache of whole paragraphs gains nothing
      OUTDIR/input.txt    the same paragraphs, one per line, as is
      OUTDIR/input.ft.txt the same, preprocessed as fastText's tutorial does
      prints: paragraphs text_bytes
  prep.py trainsets OUTDIR FIELD SIZES TRAIN.jsonl
      OUTDIR/train-N.jsonl and train-N.ft.txt for each N in SIZES ("1000
      3000"): the train split repeated, every copy after the first lightly
      perturbed (a word dropped or two neighbours swapped) so copies differ.
  prep.py fasttext FIELD IN.jsonl OUT.txt
      "__label__LABEL text" lines for fasttext supervised / test.
  prep.py fttext IN.jsonl OUT.txt
      fastText-preprocessed text only, one paragraph per line.
  prep.py random OUT.jsonl MB
      synthetic paragraphs of random lowercase words (60 a paragraph),
      nearly every word new: the worst case for any cache keyed by token.
  prep.py merge FIELD IN.jsonl PRED.txt OUT.jsonl
      IN's records with pred.FIELD.label from PRED.txt (one label a line,
      fastText's "__label__" prefix dropped), for `stance eval`.
  prep.py folds K FIELD IN.jsonl PREFIX
      K stratified folds (each label's records shuffled with seed 1, dealt
      round): PREFIX-I.train.jsonl and PREFIX-I.test.jsonl for I in 1..K.

Deterministic: a fixed seed, no clock, no hash randomisation in the output.
Runs with the system /usr/bin/python3 (no third-party modules needed).
"""
import json
import random
import re
import sys

_PUNCT = re.compile(r"([.!?,'/()])")


def ft_clean(text):
    """fastText's tutorial preprocessing: punctuation split off, lowercase."""
    text = " ".join(text.split())
    return _PUNCT.sub(r" \1 ", text).lower()


def one_line(text):
    return " ".join(text.split())


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def cmd_input(outdir, mb, paths):
    texts = [one_line(r["text"]) for p in paths for r in read_jsonl(p)]
    want = int(float(mb) * 1e6)
    total = 0
    n = 0
    rng = random.Random(7)
    with open(f"{outdir}/input.jsonl", "w", encoding="utf-8") as js, \
         open(f"{outdir}/input.txt", "w", encoding="utf-8") as tx, \
         open(f"{outdir}/input.ft.txt", "w", encoding="utf-8") as ft:
        while total < want:
            for t in texts:
                if n >= len(texts):
                    t = perturb(t, rng)
                n += 1
                js.write(json.dumps({"id": f"p{n}", "text": t},
                                    ensure_ascii=False) + "\n")
                tx.write(t + "\n")
                ft.write(ft_clean(t) + "\n")
                total += len(t.encode("utf-8"))
                if total >= want:
                    break
    print(n, total)


def perturb(text, rng):
    words = text.split()
    if len(words) < 4:
        return text
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.5:
            del words[rng.randrange(len(words))]
        else:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def cmd_trainsets(outdir, field, sizes, train):
    recs = read_jsonl(train)
    rng = random.Random(20240607)
    for size in (int(s) for s in sizes.split()):
        rng.seed(size)
        with open(f"{outdir}/train-{size}.jsonl", "w", encoding="utf-8") as js, \
             open(f"{outdir}/train-{size}.ft.txt", "w", encoding="utf-8") as ft:
            for i in range(size):
                r = recs[i % len(recs)]
                text = one_line(r["text"])
                if i >= len(recs):
                    text = perturb(text, rng)
                js.write(json.dumps({"id": f"t{i + 1}", "text": text,
                                     field: r[field]},
                                    ensure_ascii=False) + "\n")
                ft.write(f"__label__{r[field]} {ft_clean(text)}\n")


def cmd_fasttext(field, inp, outp):
    with open(outp, "w", encoding="utf-8") as f:
        for r in read_jsonl(inp):
            f.write(f"__label__{r[field]} {ft_clean(r['text'])}\n")


def cmd_fttext(inp, outp):
    with open(outp, "w", encoding="utf-8") as f:
        for r in read_jsonl(inp):
            f.write(ft_clean(r["text"]) + "\n")


def cmd_random(outp, mb):
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz"
    want = int(float(mb) * 1e6)
    total = n = 0
    with open(outp, "w", encoding="utf-8") as f:
        while total < want:
            n += 1
            t = " ".join("".join(rng.choice(letters)
                                 for _ in range(rng.randint(3, 10)))
                         for _ in range(60))
            f.write(json.dumps({"id": f"r{n}", "text": t}) + "\n")
            total += len(t)
    print(n, total)


def cmd_merge(field, inp, preds, outp):
    recs = read_jsonl(inp)
    with open(preds, encoding="utf-8") as f:
        labels = [line.split()[0] if line.split() else "" for line in f]
    if len(labels) != len(recs):
        raise SystemExit(f"prep.py: {preds}: {len(labels)} predictions "
                         f"for {len(recs)} records")
    with open(outp, "w", encoding="utf-8") as f:
        for r, lab in zip(recs, labels):
            if lab.startswith("__label__"):
                lab = lab[len("__label__"):]
            r["pred"] = {field: {"label": lab}}
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def cmd_folds(k, field, inp, prefix):
    k = int(k)
    recs = read_jsonl(inp)
    rng = random.Random(1)
    fold = [0] * len(recs)
    dealt = 0
    for label in sorted({r[field] for r in recs}):
        idx = [i for i, r in enumerate(recs) if r[field] == label]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            fold[i] = (dealt + j) % k
        dealt += len(idx)
    for f in range(k):
        with open(f"{prefix}-{f + 1}.train.jsonl", "w", encoding="utf-8") as tr, \
             open(f"{prefix}-{f + 1}.test.jsonl", "w", encoding="utf-8") as te:
            for r, g in zip(recs, fold):
                (te if g == f else tr).write(
                    json.dumps(r, ensure_ascii=False) + "\n")


def main(argv):
    if len(argv) >= 4 and argv[1] == "input":
        cmd_input(argv[2], argv[3], argv[4:])
    elif len(argv) == 6 and argv[1] == "trainsets":
        cmd_trainsets(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 5 and argv[1] == "fasttext":
        cmd_fasttext(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "fttext":
        cmd_fttext(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "random":
        cmd_random(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "merge":
        cmd_merge(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 6 and argv[1] == "folds":
        cmd_folds(argv[2], argv[3], argv[4], argv[5])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
