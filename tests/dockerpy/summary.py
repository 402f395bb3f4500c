"""Print a docker-py suite report: ``python tests/dockerpy/summary.py REPORT.json [wrong]``."""
import json
import sys
from collections import Counter

outcomes = json.load(open(sys.argv[1]))
print(Counter(r["outcome"] for r in outcomes.values()))
for nodeid, r in sorted(outcomes.items()):
    if len(sys.argv) < 3 or r["outcome"] == sys.argv[2]:
        print(r["outcome"][:5], nodeid, "|", r["message"][:300].replace("\n", " "))
