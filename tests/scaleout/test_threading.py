"""The scale-out under ASYNC_MODE=threading (the other tests run gevent): the same ticks on both
web processes, a task posted on one seen on the other, a command answered through Redis."""

from __future__ import annotations

import pytest

from . import test_relay
from .conftest import start_cluster


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster(async_mode="threading")
    yield c
    c.stop()


def test_identical_ticks_under_threading(cluster):
    test_relay.test_clients_on_both_web_processes_get_identical_ticks(cluster)


def test_events_across_web_processes_under_threading(cluster):
    test_relay.test_a_task_posted_on_web_b_produces_events_on_a_client_of_web_a(cluster)


def test_commands_once_under_threading(cluster):
    test_relay.test_commands_from_both_web_processes_are_each_applied_once(cluster)
