# Flaky-mode pipeline tests.
bw_add_test(NAME tst_flaky_pipeline SOURCES tst_flaky_pipeline.cpp LIBS bw_services TIMEOUT 1200)
add_dependencies(tst_flaky_pipeline bisect-workbench)
