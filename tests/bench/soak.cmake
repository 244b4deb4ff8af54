# Soak benchmark: 500 steps of a fast local recipe through the real Orchestrator, with
# verdict overrides; checks memory, the step journal and the culprit, exits non-zero when
# an invariant fails. Built with the tests, not run by CTest (minutes, timing-sensitive).
add_executable(bench_soak bench_soak.cpp)
target_link_libraries(bench_soak PRIVATE bw_services bw_test_support)
# SQLite's own allocation counter (the QSQLITE plugin uses the system library), to tell
# its page cache apart from the rest of the heap growth.
find_package(SQLite3 QUIET)
if(SQLite3_FOUND)
  target_link_libraries(bench_soak PRIVATE SQLite::SQLite3)
  target_compile_definitions(bench_soak PRIVATE BW_SOAK_SQLITE=1)
endif()
