"""Policy arena: policies x seeds on the headless engine, with confidence intervals.

    python -m backend.arena --scenario 2x --policies v1,lookahead --seeds 1-10 --hours 1 --load 50 --out out/

scenarios.py (named worlds), runner.py (one run and the matrix, local processes or Dask),
stats.py (means, t intervals, paired differences), report.py (results.json, table.csv, PNGs).
"""
