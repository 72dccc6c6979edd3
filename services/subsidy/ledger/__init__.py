"""The double-entry ledger every money movement of the subsidy service is posted to."""
