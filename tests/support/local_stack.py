"""The variables an end-to-end test runs the stack with: the offline market with a
scripted jump and an alert rule that sees it, and topics, groups, database and ports of
its own."""

from __future__ import annotations

from devstack.net import free_port

JUMP_AFTER_S = 20
# The rule of tests/e2e/alert-rules.yml that the jump raises.
JUMP_RULE = "btc-jump"


def stack_variables(suffix: str) -> dict[str, str]:
    return {
        "PRODUCER_SOURCES": "simulated",
        "SIMULATED_SYMBOLS": "BTC-USD,ETH-USD",
        "SIMULATED_TRADES_PER_SECOND": "20",
        "SIMULATED_JUMPS": f"BTC-USD:+10%@{JUMP_AFTER_S}s",
        "ALERT_RULES_FILE": "tests/e2e/alert-rules.yml",
        "ALERT_TOPIC": f"e2e-alerts-{suffix}",
        "ALERT_GROUP_ID": f"e2e-alerter-{suffix}",
        "DASHBOARD_DEFAULT_SOURCE": "simulated",
        "KAFKA_TICKS_TOPIC": f"e2e-ticks-{suffix}",
        "MONGO_DATABASE": f"e2e_{suffix}",
        "CONSUMER_GROUP_ID": f"e2e-{suffix}",
        "API_PORT": str(free_port()),
        "DASHBOARD_PORT": str(free_port()),
        "PRODUCER_METRICS_PORT": str(free_port()),
        "CONSUMER_METRICS_PORT": str(free_port()),
        "ALERTER_METRICS_PORT": str(free_port()),
    }
