# Log view tests
bw_add_test(NAME tst_logview SOURCES tst_logview.cpp LIBS bw_ui GUI TIMEOUT 120)
