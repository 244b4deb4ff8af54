# Fault injection and security tests.
# tst_faults: sshd killed mid-upload, a connection reset mid-command (a TCP proxy), a build
# filling the disk (tmpfs), the workbench killed during the remote phases, a private
# libvirtd killed mid-boot, a guest kernel panic. Needs root (mount, unshare), sshd,
# libvirtd, QEMU and the guest kernel (tests/support/vm).
bw_add_test(NAME tst_faults SOURCES tst_faults.cpp LIBS bw_services TIMEOUT 600 LABELS vm)
add_dependencies(tst_faults bisect-workbench)
# tst_security: hostile values stay data, owner-only files, no keys or secrets in the
# session or reports, a changed host key refused in a run.
bw_add_test(NAME tst_security SOURCES tst_security.cpp LIBS bw_services TIMEOUT 300)
add_dependencies(tst_security bisect-workbench)
