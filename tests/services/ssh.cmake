# SSH tests
