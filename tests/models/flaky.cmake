# Flaky engine tests
bw_add_test(NAME tst_flakyengine SOURCES tst_flakyengine.cpp LIBS bw_models)
