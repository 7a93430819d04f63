# Reads the Prometheus text exposition format on stdin and writes its samples as JSON, using the parser of
# the official Python client (Debian: python3-prometheus-client). Tests use it to read /metrics with a real
# parser instead of matching lines.
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        # JSON has no NaN or infinities (a gauge may read NaN, e.g. an event-loop figure before its first sample).
        value = s.value if math.isfinite(s.value) else ("NaN" if math.isnan(s.value) else ("Infinity" if s.value > 0 else "-Infinity"))
        samples.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": value})
json.dump(samples, sys.stdout)
