"""gunicorn settings for Nudgelayer: one gevent worker per process.

Scale out by running more processes (each with its own port or host) sharing
PostgreSQL and a Redis message queue; see docs/scaling.md.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gevent"
workers = 1
# Each open browser holds one websocket: the default of 1,000 is too few per process.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
# Websockets are long-lived; keep-alive pings come from Socket.IO itself.
timeout = 60
graceful_timeout = 10
accesslog = os.environ.get("ACCESS_LOG", "-")
# gunicorn 27's control socket lives at one fixed path per user: several processes on
# one host would fight over it, and Nudgelayer does not use it.
control_socket_disable = True
# gevent records every greenlet's spawning stack for its debugging tree: about 5 KB per
# open websocket (each holds four greenlets), 7% of a worker's memory at 2,000 sockets.
os.environ.setdefault("GEVENT_TRACK_GREENLET_TREE", "0")
