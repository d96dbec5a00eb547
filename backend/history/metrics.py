"""Prometheus view of the recorder: rows written and lost per table, dropped ticks, queue."""

from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


class RecorderCollector:
    """Reads `Recorder.status()` at scrape time (nothing is updated from the writer thread)."""

    def __init__(self, recorder):
        self.recorder = recorder

    def collect(self):
        st = self.recorder.status()
        written = CounterMetricFamily("vpp_history_rows_written", "Rows the recorder wrote", labels=["table"])
        lost = CounterMetricFamily("vpp_history_rows_lost", "Rows lost to database errors", labels=["table"])
        for table, n in st["written"].items():
            written.add_metric([table], n)
            lost.add_metric([table], st["lost"][table])
        yield written
        yield lost
        yield CounterMetricFamily("vpp_history_dropped_ticks", "Ticks dropped: recorder queue full (ticks or bytes)",
                                  value=st["dropped_ticks"])
        yield CounterMetricFamily("vpp_history_dropped_records", "Records of the dropped ticks",
                                  value=st["dropped_records"])
        yield GaugeMetricFamily("vpp_history_queue_depth", "Ticks waiting to be written", value=st["queued"])
        yield GaugeMetricFamily("vpp_history_queue_bytes", "Bytes of the captures waiting to be written",
                                value=st["queued_bytes"])
        yield GaugeMetricFamily("vpp_history_up", "1 while the recorder writes, 0 while degraded",
                                value=0 if st["error"] else 1)
