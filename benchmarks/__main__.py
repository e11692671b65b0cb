"""`make bench`: every benchmark, printed as ratios and seconds (never asserted in tests)."""

from __future__ import annotations

from benchmarks import (
    collect_bench,
    documents_bench,
    engine_bench,
    evidence_bench,
    organization_bench,
    organization_engine_bench,
    schedule_bench,
)

for bench in (
    engine_bench,
    organization_engine_bench,
    schedule_bench,
    evidence_bench,
    documents_bench,
    collect_bench,
    organization_bench,
):
    print("\n".join(bench.run()))
    print()
