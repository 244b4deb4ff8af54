# libssh: owned by the SSH work. target_sources(bw_services PRIVATE ...)
