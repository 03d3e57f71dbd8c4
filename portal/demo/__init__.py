"""The demo municipality: Exempelkommun with its units, demo accounts and staff."""
