"""Wake this process when another process (a replica of the service) commits events.

On PostgreSQL every write transaction sends ``NOTIFY <channel>`` (the recorder does, inside the
transaction, so the notification is delivered only if it commits). ``ReplicaWakeup`` holds one
dedicated connection per process that ``LISTEN``s on that channel in a daemon thread and calls
``notify`` for each notification; the long polls of the process then read the store once.
A lost connection is re-opened; what it missed meanwhile is caught by the feed waiter's
periodic look at the head position, so a notification is an accelerator, never the only path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

from shared.persistence import Store

log = logging.getLogger(__name__)

_RECONNECT_SECONDS = 1.0
_POLL_SECONDS = 0.5  # how long one wait for notifications blocks before the stop flag is checked


def libpq_conninfo(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://u:p@h/db`` as libpq understands it (``postgresql://u:p@h/db``)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ReplicaWakeup:
    def __init__(self, store: Store, notify: Callable[[], None]) -> None:
        if store.notify_channel is None:
            raise ValueError("only a PostgreSQL store has a notification channel")
        self._conninfo = libpq_conninfo(store.url)
        self._channel = store.notify_channel
        self._application_name = f"{store.application_name}:listen"[:63]
        self._notify = notify
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{self._channel}", daemon=True)
        self.listening = threading.Event()  # set while LISTEN is in effect (tests and /readyz may look)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; it does within one wait for notifications (it holds nothing else,
        and is a daemon), so stopping a service does not wait for it."""
        self._stopping.set()

    def _run(self) -> None:
        import psycopg  # only a PostgreSQL store listens: a service on SQLite does not load the driver

        while not self._stopping.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                log.warning("replica wake-up: %s; reconnecting", type(error).__name__)
            self.listening.clear()
            self._stopping.wait(_RECONNECT_SECONDS)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(
            self._conninfo, autocommit=True, application_name=self._application_name, connect_timeout=5
        ) as connection:
            connection.execute(f'LISTEN "{self._channel}"')
            self.listening.set()
            self._notify()  # anything committed while not listening is read now
            while not self._stopping.is_set():
                for _ in connection.notifies(timeout=_POLL_SECONDS):
                    self._notify()
