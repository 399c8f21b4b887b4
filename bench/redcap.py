"""Wall time and peak memory of `python -m sbrtlung.redcap export` and `split` on synthetic
trials of growing size, each in a fresh process; checks that the split gives back the exports
byte for byte.

    python bench/redcap.py [--sizes 1000 10000]
"""

import argparse
import filecmp
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sbrtlung import config
from sbrtlung.schemas.raw import EXPORTS
from sbrtlung.synthetic.simulate import simulate_trial, write_exports

CHILD = (
    "import json, sys, time\n"
    "from sbrtlung.logs import usage\n"
    "from sbrtlung.redcap.__main__ import main\n"
    "started = time.perf_counter()\n"
    "status = main(sys.argv[1:])\n"
    "print(json.dumps({'status': status, 'seconds': time.perf_counter() - started,"
    " 'mib': usage()[1]}))\n"
)


def timed(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    sizes = parser.parse_args().sizes
    print("patients  records rows  MB  export s  export MiB  split s  split MiB  rows/s split")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        dictionary = folder / "dictionary.csv"
        timed("dictionary", "--out", str(dictionary))
        for n in sizes:
            c = config.load(simulation={"n_patients": n, "n_sites": max(6, n // 900)})
            raw, back, records = folder / f"raw{n}", folder / f"back{n}", folder / f"{n}.csv"
            write_exports(simulate_trial(c["simulation"], c["seed"]), raw)
            out = timed("export", str(raw), "--dictionary", str(dictionary), "--out", str(records))
            back_ = timed(
                "split", str(records), "--dictionary", str(dictionary), "--out", str(back)
            )
            names = [f"{stem}.csv" for stem in EXPORTS]
            _, mismatch, errors = filecmp.cmpfiles(raw, back, names, shallow=False)
            if mismatch or errors:
                sys.exit(f"round trip differs at {n} patients: {mismatch + errors}")
            rows = sum(1 for _ in records.open()) - 1
            print(
                f"{n:8,d}  {rows:12,d}  {records.stat().st_size / 1e6:4.0f}  "
                f"{out['seconds']:8.1f}  {out['mib']:10.0f}  {back_['seconds']:7.1f}  "
                f"{back_['mib']:9.0f}  {rows / back_['seconds']:12,.0f}"
            )


if __name__ == "__main__":
    main()
