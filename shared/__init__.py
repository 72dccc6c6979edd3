"""The platform the three services stand on: settings, database, auth, errors, audit, HTTP.

Nothing here knows about maker spaces; the services use this package, never the reverse.
The one exception is ``shared.contracts``: the published shapes the services exchange.
"""
