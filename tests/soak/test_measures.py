"""The soak's arithmetic, on made-up samples: what counts as a stall, a gap, a percentile."""

from __future__ import annotations

from tests.support.soak_growth import Stall, growth_times, longest_stall_around, stalls
from tests.support.soak_load import StreamWatch
from tests.support.soak_processes import ProcessSample, figures
from tests.support.soak_requests import percentile


def test_growth_starts_at_the_first_positive_total_and_ignores_failed_reads() -> None:
    samples = [(0.0, 0), (1.0, None), (2.0, 5), (3.0, 5), (4.0, None), (5.0, 7), (6.0, 6)]
    assert growth_times(samples) == [2.0, 5.0]


def test_a_stall_is_longer_than_the_limit_without_growth_up_to_the_end() -> None:
    samples = [(0.0, 1), (1.0, 2), (7.0, 3), (8.0, 4)]
    assert stalls(samples, 5.0, start_s=0.0, end_s=9.0) == [Stall(1.0, 7.0)]
    assert stalls(samples, 5.0, start_s=0.0, end_s=14.0) == [Stall(1.0, 7.0), Stall(8.0, 14.0)]
    assert stalls(samples, 6.0, start_s=0.0, end_s=9.0) == []


def test_nothing_ever_growing_is_one_stall_over_the_whole_watch() -> None:
    assert stalls([(1.0, 0), (2.0, None)], 5.0, start_s=0.0, end_s=30.0) == [Stall(0.0, 30.0)]


def test_the_longest_stall_around_a_moment_counts_stretches_that_overlap_it() -> None:
    samples = [(0.0, 1), (10.0, 2), (12.0, 3), (30.0, 4), (31.0, 5)]
    assert longest_stall_around(samples, 11.0, 13.0) == 18.0
    assert longest_stall_around(samples, 31.5, 40.0) is None


def test_a_stream_gap_runs_from_the_start_and_to_the_end() -> None:
    watch = StreamWatch("BTC-USD", event_times=[2.0, 3.0, 9.0])
    assert watch.longest_gap_s(0.0, 10.0) == 6.0
    assert watch.longest_gap_s(0.0, 20.0) == 11.0
    assert StreamWatch("ETH-USD").longest_gap_s(0.0, 20.0) == 20.0


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.99) == 0.0
    assert percentile([float(n) for n in range(1, 101)], 0.99) == 99.0
    assert percentile([1.0, 2.0], 0.99) == 2.0


def test_rss_growth_is_from_the_first_sample_after_warm_up_and_cpu_spans_restarts() -> None:
    samples = [
        ProcessSample(0.0, 10, 50_000, 1.0),
        ProcessSample(60.0, 10, 100_000, 4.0),
        ProcessSample(90.0, 11, 90_000, 0.5),
        ProcessSample(120.0, 11, 125_000, 2.5),
    ]
    found = figures(samples, warm_s=60.0)
    assert found is not None
    assert (found.warm_kb, found.last_kb, found.peak_kb) == (100_000, 125_000, 125_000)
    assert found.growth_pct == 25.0
    assert found.cpu_s == 5.0
    assert figures(samples, warm_s=200.0) is None
