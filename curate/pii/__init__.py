"""PII detection and scrubbing for Taiwanese financial text."""
