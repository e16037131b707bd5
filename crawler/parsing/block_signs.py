"""Recognise a block page (bot challenge, CAPTCHA, login wall) instead of content.

A block page must never be stored as a review, and a source answering one is
broken, not quiet. The signs, in order:

- a ``cf-mitigated: challenge`` header (Cloudflare says it served a challenge);
- HTTP 401 (but not a JSON answer: an API refusing a key says why), or an answer
  that landed on a login / sign-in page (login wall);
- challenge-page markup, whatever the status: Cloudflare's ``_cf_chl_opt`` /
  ``/cdn-cgi/challenge-platform/``, DataDome's ``captcha-delivery.com``,
  PerimeterX's ``px-captcha``;
- on 403 / 429 / 503 only: softer markers that also appear on ordinary pages
  ("Just a moment...", "Attention Required! | Cloudflare", reCAPTCHA, hCaptcha,
  Turnstile widgets).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

BLOCK_STATUSES = frozenset({403, 429, 503})
SCAN_BYTES = 64 * 1024
_CHALLENGE_PAGE = (
    (b"_cf_chl_opt", "Cloudflare challenge"),
    (b"/cdn-cgi/challenge-platform/", "Cloudflare challenge"),
    (b"captcha-delivery.com", "DataDome CAPTCHA"),
    (b"px-captcha", "PerimeterX CAPTCHA"),
)
_SOFT_MARKERS = (
    (b"<title>just a moment...</title>", "Cloudflare challenge"),
    (b"attention required! | cloudflare", "Cloudflare block"),
    (b"cf-browser-verification", "Cloudflare challenge"),
    (b"g-recaptcha", "reCAPTCHA"),
    (b"h-captcha", "hCaptcha"),
    (b"cf-turnstile", "Cloudflare Turnstile CAPTCHA"),
)
_LOGIN_PATH = re.compile(r"/(log-?in|sign-?in|accounts/login|auth/login)(/|$|\.)", re.IGNORECASE)


def block_reason(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    url: str = "",
    requested_url: str = "",
) -> str | None:
    """Why this answer is a block page, or None when it looks like content.

    `headers` maps lower-case names to values; `url` is where the answer came from
    and `requested_url` what was asked for (a redirect to a login page between
    the two is a login wall).
    """
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated header)"
    # A JSON 401 is an API saying why a key was refused, not a login page.
    if status == 401 and "json" not in headers.get("content-type", "").lower():
        return "login required (HTTP 401)"
    if _landed_on_login(url, requested_url):
        return f"login wall (redirected to {urlsplit(url).path})"
    head = body[:SCAN_BYTES].lower()
    for marker, reason in _CHALLENGE_PAGE:
        if marker.lower() in head:
            return f"{reason} (HTTP {status})"
    if status in BLOCK_STATUSES:
        for marker, reason in _SOFT_MARKERS:
            if marker in head:
                return f"{reason} (HTTP {status})"
    return None


def _landed_on_login(url: str, requested_url: str) -> bool:
    if not url or not _LOGIN_PATH.search(urlsplit(url).path):
        return False
    return not _LOGIN_PATH.search(urlsplit(requested_url).path)
