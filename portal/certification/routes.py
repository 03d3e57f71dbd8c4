"""The learner's certifications, certificate downloads and public verification (filled in below)."""
