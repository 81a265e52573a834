"""Quix Streams doing 1-minute tumbling OHLC + volume, `.final()`, over the ticks topic.

Run by bench_consumer.py with the Python of a virtual environment of its own (Quix pins
confluent-kafka below 2.13). Prints `<messages> <seconds>`: the time from the first
message processed to the last.

usage: quix_ohlc.py BOOTSTRAP TOPIC GROUP STATE_DIR MESSAGES USE_CHANGELOG
"""

from __future__ import annotations

import sys
import time
from typing import Any

from quixstreams import Application
from quixstreams.dataframe.windows.aggregations import Earliest, Latest, Max, Min, Sum


def main() -> None:
    bootstrap, topic_name, group, state_dir, total, changelog, fetch_backoff_ms = sys.argv[1:8]
    expected = int(total)
    app = Application(
        broker_address=bootstrap,
        consumer_group=group,
        auto_offset_reset="earliest",
        state_dir=state_dir,
        use_changelog_topics=changelog == "1",
        consumer_extra_config={"fetch.queue.backoff.ms": int(fetch_backoff_ms)},
        loglevel="WARNING",
        on_message_processed=lambda *_: progress(),
    )
    seen = {"count": 0, "first": 0.0, "last": 0.0}

    def progress() -> None:
        seen["count"] += 1
        if seen["count"] == 1:
            seen["first"] = time.perf_counter()
        if seen["count"] == expected:
            seen["last"] = time.perf_counter()
            app.stop()

    def event_time(value: Any, headers: Any, timestamp: float, kind: Any) -> int:
        del headers, timestamp, kind
        return int(value["event_time"])

    topic = app.topic(topic_name, value_deserializer="json", timestamp_extractor=event_time)
    (
        app.dataframe(topic)
        .tumbling_window(60_000, grace_ms=5_000)
        .agg(
            open=Earliest("price"),
            high=Max("price"),
            low=Min("price"),
            close=Latest("price"),
            volume=Sum("size"),
        )
        .final()
    )
    app.run()
    print(seen["count"], seen["last"] - seen["first"])


if __name__ == "__main__":
    main()
