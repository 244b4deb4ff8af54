# Log view tests
