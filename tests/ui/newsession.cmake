# New-session dialog tests
