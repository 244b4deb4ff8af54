# Export/sessions/charts: target_sources(bw_ui PRIVATE ...)
