# The embedded demo (netsim): identical ids, the history's shape, recipes, and
# `bisect-workbench run` with local.toml finding the planted culprit.
bw_add_test(NAME tst_demo SOURCES tst_demo.cpp LIBS bw_services TIMEOUT 300)
add_dependencies(tst_demo bisect-workbench)
