# New-session dialog tests
bw_add_test(NAME tst_newsessiondialog SOURCES tst_newsessiondialog.cpp LIBS bw_ui GUI)
