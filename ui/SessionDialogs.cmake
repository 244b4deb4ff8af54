# Dialogs: target_sources(bw_ui PRIVATE ...)
target_sources(bw_ui PRIVATE
  NewSessionDialog.h NewSessionDialog.cpp
  RecipeEditor.h RecipeEditor.cpp
  TomlHighlighter.h TomlHighlighter.cpp
)
