from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coinstream_common.alerts import (
    AlertRecord,
    alert_document,
    alert_from_document,
    decode_alert,
    encode_alert,
)

EPOCH_MS = st.integers(1_230_940_800_000, 4_102_444_800_000)


@st.composite
def records(draw: st.DrawFn) -> AlertRecord:
    raised = draw(EPOCH_MS)
    resolved = draw(st.none() | st.integers(raised, raised + 10**9))
    return AlertRecord(
        id=f"move/coinbase/BTC-USD/{raised}",
        rule="move",
        kind="price_move",
        subject="coinbase/BTC-USD",
        source="coinbase",
        symbol="BTC-USD",
        state="active" if resolved is None else "resolved",
        raised_at=raised,
        resolved_at=resolved,
        threshold=draw(st.floats(0, 1e6)),
        raise_value=draw(st.floats(-1e6, 1e6)),
        resolve_value=None if resolved is None else draw(st.floats(-1e6, 1e6)),
    )


@given(record=records())
def test_a_record_survives_the_topic_and_the_database(record: AlertRecord) -> None:
    assert decode_alert(encode_alert(record)) == record
    assert alert_from_document(alert_document(record)) == record


def test_the_database_keeps_times_as_dates_and_the_id_as_its_key() -> None:
    record = AlertRecord(
        id="a/consumer/1711353600000", rule="a", kind="consumer_lag", subject="consumer",
        state="active", raised_at=1_711_353_600_000, threshold=10, raise_value=12,
    )  # fmt: skip

    document = alert_document(record)

    assert document["_id"] == record.id
    assert "id" not in document
    assert document["raised_at"].isoformat() == "2024-03-25T08:00:00+00:00"
