# libvirt: owned by the VM work. target_sources(bw_services PRIVATE ...)
