"""PII detection and scrubbing for Taiwanese financial text.

Our own engine (:mod:`curate.pii.engine`) runs the Taiwan recognizers; presidio is an optional
extra (``[presidio]``, :mod:`curate.pii.presidio_adapter`), imported only when asked for.
"""
