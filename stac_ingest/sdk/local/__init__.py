"""The local embedded pipeline: both stages on one machine, with no AWS account.

Queues live in SQLite (``queue.py``), the runner drives the same stage code as the
Lambdas (``runner.py``), pgstac is any database given by ``--dsn`` or a cluster managed
in the state directory (``database.py``), and a STAC API can serve it (``api.py``).
"""
