"""The API credentials of the source kinds that need them.

They come from the environment (``config.settings.Settings``), travel to the crawler
process in its job on stdin, reach a spider as an argument, and go on the wire only
as headers set by :class:`crawler.middlewares.credential_headers.CredentialHeadersMiddleware`
on requests to the API's own host: never in a URL, a log line or the shared Redis
request queue (scrapy-redis stores requests with their headers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

# Each credential and the environment variable it is read from.
ENVIRONMENT_VARIABLES = {
    "naver_client_id": "NAVER_CLIENT_ID",
    "naver_client_secret": "NAVER_CLIENT_SECRET",
    "youtube_api_key": "YOUTUBE_API_KEY",
    "google_application_credentials": "GOOGLE_APPLICATION_CREDENTIALS",
    "bluesky_handle": "BLUESKY_HANDLE",
    "bluesky_app_password": "BLUESKY_APP_PASSWORD",
}
# What each kind cannot crawl without; a kind not named needs nothing.
NEEDED_BY_KIND: dict[str, tuple[str, ...]] = {
    "naver": ("naver_client_id", "naver_client_secret"),
    "youtube": ("youtube_api_key",),
    "googleplay": ("google_application_credentials",),
}
# What a kind uses when it is set (Bluesky: signed in, else the public AppView).
OPTIONAL_BY_KIND: dict[str, tuple[str, ...]] = {
    "bluesky": ("bluesky_handle", "bluesky_app_password"),
}


@dataclass(frozen=True)
class SourceCredentials:
    """Credentials for one crawl; unset ones are None. Values never show in ``repr``.

    ``google_application_credentials`` is the path of a service-account JSON key file
    (the file holds the secret; the path is not one).
    """

    naver_client_id: str | None = field(default=None, repr=False)
    naver_client_secret: str | None = field(default=None, repr=False)
    youtube_api_key: str | None = field(default=None, repr=False)
    google_application_credentials: str | None = None
    bluesky_handle: str | None = None
    bluesky_app_password: str | None = field(default=None, repr=False)

    def only(self, kinds: Iterable[str]) -> SourceCredentials:
        """These credentials less every one that none of `kinds` needs."""
        used = {
            name
            for kind in kinds
            for name in NEEDED_BY_KIND.get(kind, ()) + OPTIONAL_BY_KIND.get(kind, ())
        }
        return SourceCredentials(
            **{f.name: getattr(self, f.name) for f in fields(self) if f.name in used}
        )

    def missing(self, kind: str) -> list[str]:
        """The environment variables `kind` needs that are not set."""
        return [
            ENVIRONMENT_VARIABLES[name]
            for name in NEEDED_BY_KIND.get(kind, ())
            if not getattr(self, name)
        ]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceCredentials:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and isinstance(v, str)})
