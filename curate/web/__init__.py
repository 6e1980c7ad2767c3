"""The auditor portal: a read-only Starlette application over a snapshot copy of the catalogue.

``curate serve`` starts it (uvicorn, 127.0.0.1 by default); ``curate serve adduser`` manages its
users. See :mod:`curate.web.snapshot` for why it never blocks a steward's run and
:mod:`curate.web.auth` for users, roles, sessions and CSRF.
"""
