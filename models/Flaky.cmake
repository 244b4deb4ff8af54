# FlakyEngine: target_sources(bw_models PRIVATE ...)
