# Held-out identity numbers checked against checkers nobody here wrote: the `mrz` package makes
# passport (TD3) and card (TD1) zones from random names, numbers, dates and states, python-stdnum
# gives resident ID numbers their GB 11643 check characters (of real county codes and past birth
# dates; stdnum's own list of counties lacks some, Qingtian's 331121 among them, so its judgement
# of the check character is what is compared); each then has one character changed where a check
# digit protects it. `qiaoyi check-ids` must accept exactly what the
# outside checker accepts. A fixed seed makes every run check the same vectors; pass another to
# draw new ones. Exits non-zero on the first disagreement.
#   python scripts/identifiers.py target/debug/qiaoyi [SEED] [COUNT]
import json, random, subprocess, sys

from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker
from mrz.generator.td1 import TD1CodeGenerator
from mrz.generator.td3 import TD3CodeGenerator
from stdnum.cn import ric

binary = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261207
count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
rng = random.Random(seed)
TODAY = "2026-12-07"
STATES = ["CHN", "ITA", "ESP", "FRA", "NLD", "AUT", "PRT", "HUN", "GRC", "USA", "BRA", "ARG", "D", "GBR"]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Real county-level codes of GB/T 2260 (Qingtian, Lishui, Hangzhou, Beijing Dongcheng, Shanghai
# Huangpu, Wenzhou Lucheng, Guangzhou Yuexiu).
REGIONS = ["331121", "331102", "330102", "110101", "310101", "330302", "440104"]


def yymmdd(year_from, year_to):
    return f"{rng.randint(year_from, year_to) % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def name():
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 9)))


def number():
    return "".join(rng.choice(LETTERS + "0123456789") for _ in range(9))


def zone():
    birth, expiry = yymmdd(1940, 2005), yymmdd(2027, 2035)
    sex = rng.choice("MF")
    if rng.random() < 0.5:
        code = TD3CodeGenerator("P", rng.choice(STATES), name(), name(), number(), rng.choice(STATES),
                                birth, sex, expiry, "")
        return str(code).split("\n"), TD3CodeChecker
    code = TD1CodeGenerator(rng.choice(["I", "C", "ID"]), rng.choice(STATES), number(), birth, sex, expiry,
                            rng.choice(STATES), name(), name())
    return str(code).split("\n"), TD1CodeChecker


def changed_digit(lines):
    # A digit of the line holding the dates and check digits, changed to another digit.
    row = 1
    digits = [i for i, c in enumerate(lines[row]) if c.isdigit()]
    i = rng.choice(digits)
    line = lines[row]
    lines = list(lines)
    lines[row] = line[:i] + rng.choice([d for d in "0123456789" if d != line[i]]) + line[i + 1:]
    return lines


vectors = []  # (input, what the outside checker says)
for _ in range(count):
    lines, checker = zone()
    vectors.append((lines, bool(checker("\n".join(lines), check_expiry=False))))
    bad = changed_digit(lines)
    vectors.append((bad, bool(checker("\n".join(bad), check_expiry=False))))
    body = rng.choice(REGIONS) + f"{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
        + f"{rng.randint(0, 999):03d}"
    good = body + ric.calc_check_digit(body + "0")  # it drops the last character
    other = body + rng.choice([c for c in "0123456789X" if c != good[-1]])
    for resident_id in (good, other):
        vectors.append((resident_id, ric.calc_check_digit(resident_id) == resident_id[-1]))

given = "\n".join(json.dumps(v) for v, _ in vectors) + "\n"
run = subprocess.run([binary, "check-ids", "--today", TODAY], input=given, capture_output=True, text=True,
                     check=True)
verdicts = [json.loads(line) for line in run.stdout.splitlines()]
if len(verdicts) != len(vectors):
    sys.exit(f"FAIL {len(vectors)} vectors gave {len(verdicts)} verdicts")
accepted = 0
for (vector, outside), ours in zip(vectors, verdicts):
    if ours["valid"] != outside:
        sys.exit(f"FAIL {vector}: the outside checker says {outside}, qiaoyi says {ours}")
    accepted += outside
print(f"ok: {len(vectors)} held-out zones and resident ID numbers (seed {seed}), {accepted} valid, "
      f"{len(vectors) - accepted} refused, as mrz and python-stdnum judge them")
