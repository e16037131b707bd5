"""Signing in to the APIs that want it before the first page: each module builds the
sign-in request and reads the token from the answer; crawler/spiders/signin.py sends it."""

from __future__ import annotations

import json

from scrapy.http import Response

from crawler.exceptions import CredentialsError


def token_from(response: Response, key: str, reason_keys: tuple[str, str], service: str) -> str:
    """The token under `key` of a sign-in answer; CredentialsError saying why not, from
    the answer's own `reason_keys` (an error code and its description)."""
    try:
        data = json.loads(response.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise CredentialsError(f"{service} answered the sign-in with {response.status}, not JSON")
    token = data.get(key)
    if response.status == 200 and isinstance(token, str) and token:
        return token
    reason = ": ".join(str(data[name]) for name in reason_keys if data.get(name))
    raise CredentialsError(
        f"{service} refused the sign-in ({response.status}" + (f", {reason})" if reason else ")")
    )
