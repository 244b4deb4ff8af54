# Export/sessions/charts: the export dialog with its preview, the past-sessions list and
# its model, and the run charts (Qt Charts).
target_sources(bw_ui PRIVATE
  ExportDialog.h ExportDialog.cpp
  SessionListModel.h SessionListModel.cpp
  SessionListDialog.h SessionListDialog.cpp
  RunCharts.h RunCharts.cpp
)
