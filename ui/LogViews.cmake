# Log views: target_sources(bw_ui PRIVATE ...)
