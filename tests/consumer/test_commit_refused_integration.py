"""A commit the broker refuses is counted and logged; the consumer goes on.

The broker refuses a commit from a client that is not a member of a group that has
members: what a consumer meets when a rebalance overtakes its commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from prometheus_client import REGISTRY
from pymongo.database import Database

from coinstream_common.mongo import Document
from consumer.side_outputs import SideOutputs
from consumer.storage import ConsumerStore
from consumer.writer import FlushJob, FlushWriter
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


def commit_failures() -> float:
    return REGISTRY.get_sample_value("consumer_commit_failures_total") or 0.0


def test_a_refused_commit_is_counted_not_raised(
    kafka_bootstrap: str,
    new_topic: Callable[..., str],
    new_group: Callable[[], str],
    new_database: Callable[[], Database[Document]],
) -> None:
    topic, group = new_topic(1), new_group()
    member = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group})
    member.subscribe([topic])
    outsider = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group})
    side = SideOutputs(
        Producer({"bootstrap.servers": kafka_bootstrap}),
        late_topic=f"{topic}.late",
        dead_letter_topic=f"{topic}.dlq",
    )
    writer = FlushWriter(outsider, ConsumerStore(new_database()), side)
    writer.topic = topic
    try:

        def assigned() -> list[TopicPartition]:
            member.poll(0.2)  # serves the join
            return member.assignment()

        wait_until(assigned, what="the member to join its group", interval_s=0)
        before = commit_failures()
        writer.submit(FlushJob([], {0: 1}, time.time()))
        writer.collect({0: 1}, wait=True)
        assert commit_failures() == before + 1
        assert writer.failed is None
        assert not writer.busy
    finally:
        writer.close()
        outsider.close()
        member.close()
