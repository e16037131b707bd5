"""Google service-account sign-in: a signed JWT exchanged for an OAuth access token.

The OAuth 2.0 JWT-bearer flow Google's client libraries use for service accounts
(RFC 7523): an RS256 assertion signed with the key file's ``private_key``, naming its
``client_email`` and the scope wanted, is posted to the file's ``token_uri``; the
answer's ``access_token`` is then sent as ``Authorization: Bearer``. Nothing here
logs or repeats a key, an assertion or a token.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
from scrapy import FormRequest
from scrapy.http import Response

from crawler.auth import token_from
from crawler.exceptions import CredentialsError

DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME_S = 3600  # the longest Google accepts
_REQUIRED_KEYS = ("client_email", "private_key")


def read_key_file(path: Path) -> dict[str, Any]:
    """The service account of a JSON key file; CredentialsError saying what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CredentialsError(f"cannot read the key file {path}: {exc.strerror}") from None
    except ValueError:
        raise CredentialsError(f"the key file {path} is not JSON") from None
    if not isinstance(data, dict) or data.get("type", "service_account") != "service_account":
        raise CredentialsError(f"the key file {path} is not a service-account key")
    lacking = [key for key in _REQUIRED_KEYS if not isinstance(data.get(key), str)]
    if lacking:
        raise CredentialsError(f"the key file {path} has no {' or '.join(lacking)}")
    return data


def assertion(account: dict[str, Any], scope: str, now: float) -> str:
    """The signed JWT asking for `scope` as `account`, valid for an hour from `now`."""
    claims = {
        "iss": account["client_email"],
        "scope": scope,
        "aud": account.get("token_uri") or DEFAULT_TOKEN_URI,
        "iat": int(now),
        "exp": int(now) + ASSERTION_LIFETIME_S,
    }
    headers = {"kid": account["private_key_id"]} if account.get("private_key_id") else None
    try:
        return jwt.encode(claims, account["private_key"], algorithm="RS256", headers=headers)
    except (ValueError, TypeError, jwt.PyJWTError):
        raise CredentialsError("the key file's private_key is not an RSA private key") from None


def token_request(account: dict[str, Any], scope: str, now: float) -> FormRequest:
    """The POST exchanging a fresh assertion for an access token."""
    return FormRequest(
        account.get("token_uri") or DEFAULT_TOKEN_URI,
        formdata={"grant_type": JWT_BEARER_GRANT, "assertion": assertion(account, scope, now)},
        # A sign-in, not a page to crawl; and never a second one from the dupe filter.
        meta={"dont_obey_robotstxt": True},
        dont_filter=True,
    )


def access_token(response: Response) -> str:
    """The token of the token endpoint's answer; CredentialsError with Google's reason."""
    return token_from(
        response, "access_token", ("error", "error_description"), "Google's token endpoint"
    )
