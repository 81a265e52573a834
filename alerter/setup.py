"""Builds the alerter with its per-tick path compiled to C by mypyc.

Every tick of the topic passes through the read loop, the price windows, the rules'
triggers and the index; compiled, the rules and the index took about half the time they
took interpreted (measured apart from Kafka and Mongo). docs/alerts.md, "Speed".
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository: tools.compile

from tools.compile.mypyc_setup import setup_compiled  # noqa: E402

setup_compiled(
    HERE,
    "alerter",
    ("app", "index_feed", "index_price", "price_alerts", "price_window", "trigger"),
)
