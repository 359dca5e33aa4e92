#!/bin/sh
# Downsampled-query benchmark for issue #7 (not run in CI).
#
# Builds the HearthDownsampleBench harness in release mode, writes a filesystem bucket of raw 2d
# blocks (SERIES counters x DAYS, one sample every INTERVAL seconds) with TSDB's BlockWriter, runs
# the compactor (compaction to 14d, downsampling to 5m and 1h), prints the bucket size per
# resolution, then times `sum by (job) (rate(x[1h]))` at step 1h over the whole range through the
# receiver's resolution-aware querier at max_source_resolution raw, 5m (what `auto` picks at step
# 1h) and 1h: median latency, speedup against raw and the largest relative difference to raw.
#
# Usage: Tests/Benchmarks/downsample-bench.sh [DIR] [SERIES] [DAYS] [INTERVAL]
# Defaults: a fresh temporary directory, 10000 series, 30 days, 60s. BENCH_RUNS (default 3) sets
# the runs per resolution. A DIR holding a bucket from an earlier run is reused as it is.
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-$(mktemp -d)/downsample-bench}
swift build -c release --product HearthDownsampleBench --scratch-path .build-release
.build-release/release/HearthDownsampleBench "$dir" "${2:-10000}" "${3:-30}" "${4:-60}"
du -sh "$dir/bucket"
