"""The app as the benchmark serves it: the production configuration, minus what needs a real
deployment around it (HTTPS redirects, secure-only cookies, a shared rate-limit store).

CSRF protection stays on, as in production: every form the benchmark posts carries the token
from the page it fetched first.
"""

from __future__ import annotations

import os

from config import ProductionConfig, normalise_database_url
from kotaku_collab import create_app


class BenchConfig(ProductionConfig):
    ENV_NAME = "bench"
    #: Plain HTTP on 127.0.0.1: no TLS proxy in front.
    FORCE_HTTPS = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    #: Every request comes from 127.0.0.1; the limits would measure the limiter, not the app.
    RATELIMIT_ENABLED = False
    #: The synthetic dataset's accounts (seed-scale) are allowed on the benchmark database only.
    ALLOW_DEMO_DATA = True
    #: Said aloud in every response, so the benchmark can report queries per page.
    QUERY_COUNT_HEADER = True

    def __init__(self) -> None:
        os.environ.setdefault("SECRET_KEY", "bench-" + "0" * 40)
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ["BENCH_DATABASE_URL"])


app = create_app(BenchConfig())
