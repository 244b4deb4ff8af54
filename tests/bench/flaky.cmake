# Flaky benchmarks: accuracy and test runs of the flaky engine against plain and
# repeated bisects on generated histories. Prints a table; not run by CTest.
add_executable(bench_flaky bench_flaky.cpp)
target_link_libraries(bench_flaky PRIVATE bw_models)
