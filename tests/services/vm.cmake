# VM tests
# tst_libvirt: libvirt's in-process test:///default driver, no daemon (fast).
bw_add_test(NAME tst_libvirt SOURCES tst_libvirt.cpp LIBS bw_services TIMEOUT 120)
target_compile_definitions(tst_libvirt PRIVATE BW_SOURCE_DIR_FALLBACK="${PROJECT_SOURCE_DIR}")
# tst_vmguest: a hand-started libvirtd and QEMU/TCG guests booted from Debian's kernel
# (fetched once by tests/support/vm/guest-kernel.sh) with busybox initramfs images.
bw_add_test(NAME tst_vmguest SOURCES tst_vmguest.cpp LIBS bw_services TIMEOUT 420 LABELS vm)
target_compile_definitions(tst_vmguest PRIVATE BW_SOURCE_DIR_FALLBACK="${PROJECT_SOURCE_DIR}")
