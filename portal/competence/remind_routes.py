"""'Remind now' (filled in below)."""
