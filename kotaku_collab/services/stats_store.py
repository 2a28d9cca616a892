"""The cached aggregates shared by every worker on the machine (services/stats_cache.py).

Each gunicorn worker keeps its own in-memory cache, so without this store every worker would
recompute the national dashboard after each change (seconds each). Here one worker computes
while the others wait for it, and all of them read its result:

- one file per cached call (function and arguments) under STATS_CACHE_DIR (default
  instance/stats-cache), holding the version tokens the result was computed under and the result;
  a newer result replaces the file (write to a temporary file, then rename: readers see the old
  or the new file, never half of one);
- the file is signed with an HMAC of the app's SECRET_KEY and is read back only when the
  signature matches, so nothing but this app's own results is ever unpickled (the directory is
  as private as instance/secret_key);
- a lock file per call (flock) lets one worker compute at a time; the others wait up to
  LOCK_WAIT_SECONDS and then find the file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux: every worker computes for itself
    fcntl = None

#: How long a worker waits for another one's computation before computing itself.
LOCK_WAIT_SECONDS = 30.0
#: Results not replaced for this long (yesterday's dashboards) are deleted when a worker starts.
STALE_AFTER_SECONDS = 2 * 24 * 3600
_POLL_SECONDS = 0.05
#: What load() returns when there is no result for these tokens.
MISSING = object()


class StatsStore:
    def __init__(self, directory: str | Path, secret: str | bytes) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._prune()

    def _prune(self) -> None:
        cutoff = time.time() - STALE_AFTER_SECONDS
        for path in self.directory.glob("*.pickle"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue  # another worker removed or replaced it meanwhile

    def _path(self, name: str, suffix: str) -> Path:
        return self.directory / f"{name}{suffix}"

    def load(self, name: str, tokens: tuple):
        """The stored result for `name` computed under exactly `tokens`, else MISSING."""
        try:
            data = self._path(name, ".pickle").read_bytes()
        except OSError:
            return MISSING
        signature, payload = data[:32], data[32:]
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            return MISSING  # not written by this app (or with another key): ignore it
        stored_tokens, value = pickle.loads(payload)
        return value if stored_tokens == tokens else MISSING

    def save(self, name: str, tokens: tuple, value) -> None:
        payload = pickle.dumps((tokens, value), protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(self._secret, payload, hashlib.sha256).digest()
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(signature + payload)
            os.replace(temporary, self._path(name, ".pickle"))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @contextmanager
    def computing(self, name: str):
        """Held while one worker computes `name`; others wait (bounded) for it."""
        if fcntl is None:
            yield
            return
        with open(self._path(name, ".lock"), "a+b") as lock:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            locked = False
            while not locked:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    locked = True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break  # the other worker is stuck: compute without the lock
                    time.sleep(_POLL_SECONDS)
            try:
                yield
            finally:
                if locked:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def clear(self) -> None:
        for path in self.directory.glob("*.pickle"):
            path.unlink(missing_ok=True)


def call_name(func, bind_url: str, args_key, kwargs_key, tables) -> str:
    """A file name for one cached call, the same in every worker process."""
    identity = repr((func.__module__, func.__qualname__, bind_url, args_key, kwargs_key,
                     tuple(tables)))
    return hashlib.sha256(identity.encode()).hexdigest()
