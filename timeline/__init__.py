"""A generator of fact-checked timeline websites: load → validate → render → write."""
