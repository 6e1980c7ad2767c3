"""Label Studio bridge: push scrubbed, licence-cleared record versions to per-bank projects, pull the work back.

Modules: ``config`` (which instance and token per bank), ``label_studio`` (SDK client with retries),
``push`` / ``pull`` (the two commands' library functions), ``offsets`` (UTF-16 <-> code points),
``tasks`` (label configs and task payloads), ``eligibility`` (PII and licence gates), ``server``
(install/start/stop a local Label Studio; used by ``annotation/labelstudio.sh`` and the tests).
Nothing is imported here, so ``import annotation`` stays cheap.
"""

__all__: list[str] = []
