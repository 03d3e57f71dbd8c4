"""The competence matrix and the employee pages (filled in below)."""
