# Flaky benchmarks
