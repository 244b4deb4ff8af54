# Dialogs: target_sources(bw_ui PRIVATE ...)
