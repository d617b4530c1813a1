"""Long loops over responses share the server with everything else."""

from __future__ import annotations

import time


def pause() -> None:
    """Let other greenlets run (requests, websockets, the webhook sender).

    The server's gevent worker runs one request at a time per greenlet: a results page
    or an export over a million rows would otherwise hold the whole process for seconds.
    Under gevent's monkey-patching ``time.sleep(0)`` yields to the hub; in a plain thread
    it returns at once.
    """
    time.sleep(0)
