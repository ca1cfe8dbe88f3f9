"""pandera schemas, generated from the table catalogue (``juesuan.reference``); arrive with issue #4."""
