# Log views: target_sources(bw_ui PRIVATE ...)
target_sources(bw_ui PRIVATE
  AnsiParser.h AnsiParser.cpp
  LogHighlighter.h LogHighlighter.cpp
  LogView.h LogView.cpp
  LogTabs.h LogTabs.cpp
)
