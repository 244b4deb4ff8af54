# Export dialog, session list (and its model), run charts: against a real session made by
# the workbench binary. Screenshots under BW_SCREENSHOT_DIR when it is set.
bw_add_test(NAME tst_reporting SOURCES tst_reporting.cpp LIBS bw_ui GUI TIMEOUT 300)
