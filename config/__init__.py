"""Settings and the data catalogues (exemptions, classifier phrases)."""
