# Log view bench: streams a synthetic kernel build log into a LogView and reports the
# event loop's longest stall. Run offscreen (QT_QPA_PLATFORM=offscreen) or under xvfb-run.
add_executable(bench_logview bench_logview.cpp)
target_link_libraries(bench_logview PRIVATE bw_ui)
