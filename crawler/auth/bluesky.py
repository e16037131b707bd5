"""Bluesky sign-in with an app password: ``com.atproto.server.createSession``.

The answer's ``accessJwt`` is sent as ``Authorization: Bearer`` to the same host
(a PDS such as bsky.social, which serves ``searchPosts`` to signed-in accounts).
An app password (Settings → App passwords) is not the account password and can be
revoked on its own.
"""

from __future__ import annotations

import json

from scrapy import Request
from scrapy.http import Response

from crawler.auth import token_from


def session_request(host: str, handle: str, app_password: str) -> Request:
    """The ``createSession`` call signing in with an app password on `host`."""
    return Request(
        f"{host}/xrpc/com.atproto.server.createSession",
        method="POST",
        body=json.dumps({"identifier": handle, "password": app_password}),
        headers={"Content-Type": "application/json"},
        # A sign-in, not a page to crawl; and never dropped as a duplicate.
        meta={"dont_obey_robotstxt": True},
        dont_filter=True,
    )


def session_token(response: Response) -> str:
    """The ``accessJwt`` of a ``createSession`` answer; CredentialsError with the reason."""
    return token_from(response, "accessJwt", ("error", "message"), "Bluesky")
