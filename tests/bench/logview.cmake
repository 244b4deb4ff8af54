# Log view bench
