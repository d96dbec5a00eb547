"""Pluggable decision policies, selected by config (group `policy` in params.py).

Each module has one interface and a `v1` entry that is the seed's rule (today's code path,
untouched and the default):

- placement.py: which eligible satellite a queued task goes to;
- beaming.py: which free giver beams to which free receiver;
- drones.py: in which order drones are sent to the satellites in need;
- sets.py: named policy sets (one of each), as the arena and the config panel name them.

Every policy uses the same eligibility rules as v1 (the delegator's `_score_pairs`, the beam
thresholds and line of sight, the drone launch rule); only the choice among eligible options differs.
"""
