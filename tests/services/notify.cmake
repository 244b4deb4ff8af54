# notifier tests: a local webhook receiver and a private D-Bus with a fake notification server
find_package(Qt6 REQUIRED COMPONENTS DBus)
bw_add_test(NAME tst_notifier SOURCES tst_notifier.cpp LIBS bw_services Qt6::DBus Qt6::Network TIMEOUT 120)
