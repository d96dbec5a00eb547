"""Prometheus metrics of one app instance (own registry, so several apps can coexist)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

TASK_OUTCOMES = ("created", "assigned", "completed", "dropped")


class Metrics:
    """Counters and gauges the loops update; `render()` gives the text exposition."""

    def __init__(self):
        r = self.registry = CollectorRegistry()
        self.ticks = Counter("vpp_ticks", "Engine ticks run by the server", registry=r)
        self.tick_seconds = Histogram(
            "vpp_tick_duration_seconds", "Wall time of one engine step + frame, seconds",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0),
            registry=r)
        self.overruns = Counter("vpp_tick_overruns", "Ticks that missed their wall deadline", registry=r)
        self.tasks = Counter("vpp_tasks", "Task events by outcome", ["outcome"], registry=r)
        self.queue_depth = Gauge("vpp_queue_depth", "Tasks pending assignment", registry=r)
        self.running = Gauge("vpp_tasks_running", "Tasks running on satellites", registry=r)
        self.clients = Gauge("vpp_connected_clients", "Socket.IO clients on /ws", registry=r)
        self.restarts = Counter("vpp_loop_restarts", "Loop restarts after a failure", ["loop"], registry=r)
        self.skipped = Counter("vpp_skipped_events", "Events not sent to a client (cap or behind)",
                               registry=r)
        self.dropped_clients = Counter("vpp_clients_disconnected_behind",
                                       "Clients disconnected for being too far behind", registry=r)

    def watch_recorder(self, recorder) -> None:
        """Expose the flight recorder's counters (read when /metrics is scraped)."""
        if recorder is not None:
            from backend.history.metrics import RecorderCollector

            self.registry.register(RecorderCollector(recorder))

    def on_tick(self, duration_s: float, counts: dict) -> None:
        self.ticks.inc()
        self.tick_seconds.observe(duration_s)
        for outcome in TASK_OUTCOMES:
            n = counts.get(f"task.{outcome}", 0)
            if n:
                self.tasks.labels(outcome).inc(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)
