# Export/session list/charts tests
