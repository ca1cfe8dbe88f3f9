"""Prefect orchestration only: thin flows over library functions that work without Prefect.

``ingest`` (one ``prepare`` task per document, cached by document id and parser version, retried; one
writer), ``publish`` (extracts) and ``nightly`` (sources → ingest → publish, served on a cron schedule in
Asia/Shanghai time by ``juesuan schedule``).
"""

import os

# the library logs through `logging` (one logger per module under "juesuan"): Prefect attaches those
# records to the flow run that emitted them, unless the operator configured the loggers otherwise
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "juesuan")
