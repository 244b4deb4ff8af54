# Notifications: target_sources(bw_services PRIVATE ...)
