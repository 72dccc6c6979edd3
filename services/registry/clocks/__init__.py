"""Legal clocks (法定期限) of the recognition procedure, and their time limits."""
