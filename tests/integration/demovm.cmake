# The demo's vm.toml end to end: the demo's own scripts build each commit's initramfs, a
# hand-started libvirtd boots it (TCG), the bisect runs the stress test over SSH in the
# guest and finds the planted culprit; and a machine without libvirtd or the kernel gets
# a message that names what is missing. About 3 minutes.
bw_add_test(NAME tst_demo_vm SOURCES tst_demo_vm.cpp LIBS bw_services TIMEOUT 900)
add_dependencies(tst_demo_vm bisect-workbench)
# QTest's per-function watchdog (5 min by default) must not cut a slow VM bisect short.
set_property(TEST tst_demo_vm APPEND PROPERTY ENVIRONMENT "QTEST_FUNCTION_TIMEOUT=840000")
