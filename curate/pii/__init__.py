"""PII detection and scrubbing for Taiwanese financial text.

presidio is imported here first, with transformers and torch kept out: presidio imports them
whenever transformers is installed (the ``[ckip]`` extra), adding seconds to every ``curate pii``
start-up, and the workbench never uses presidio's transformers engine. The CKIP recogniser
(:mod:`curate.pii.ckip`) imports transformers itself when it is asked for.
"""

from curate._optional import import_without

import_without(("presidio_analyzer", "presidio_anonymizer"), blocked=("torch", "transformers"))
