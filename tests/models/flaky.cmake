# Flaky engine tests
