# SSH tests: a private OpenSSH server on 127.0.0.1, started and stopped by the test.
bw_add_test(NAME tst_ssh SOURCES tst_ssh.cpp LIBS bw_services TIMEOUT 300)
