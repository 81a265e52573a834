"""The variables an end-to-end test runs the stack with: the offline market, and topic,
group, database and ports of its own."""

from __future__ import annotations

from devstack.net import free_port


def stack_variables(suffix: str) -> dict[str, str]:
    return {
        "PRODUCER_SOURCES": "simulated",
        "SIMULATED_SYMBOLS": "BTC-USD,ETH-USD",
        "SIMULATED_TRADES_PER_SECOND": "20",
        "DASHBOARD_DEFAULT_SOURCE": "simulated",
        "KAFKA_TICKS_TOPIC": f"e2e-ticks-{suffix}",
        "MONGO_DATABASE": f"e2e_{suffix}",
        "CONSUMER_GROUP_ID": f"e2e-{suffix}",
        "API_PORT": str(free_port()),
        "DASHBOARD_PORT": str(free_port()),
        "PRODUCER_METRICS_PORT": str(free_port()),
        "CONSUMER_METRICS_PORT": str(free_port()),
    }
