"""Bluesky post search: ``app.bsky.feed.searchPosts``, public or signed in."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from crawler.auth.bluesky import session_request, session_token
from crawler.parsing.bluesky import newer_than
from crawler.spiders.signin import SignInSpider


class BlueskySpider(SignInSpider):
    """Asks only for posts since the newest stored (``since``), pages with ``cursor``.

    With ``BLUESKY_HANDLE`` and ``BLUESKY_APP_PASSWORD`` set it first signs in
    (``com.atproto.server.createSession`` on the source URL's host, e.g. bsky.social);
    without them it asks the host anonymously (the public AppView).
    """

    name = "bluesky"
    expects_content = False

    async def authorise(self) -> bool:
        handle = self.credentials.bluesky_handle
        password = self.credentials.bluesky_app_password
        if not (handle and password):
            return True
        parts = urlsplit(self.start_url)
        host = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return await self.sign_in(session_request(host, handle, password), session_token)

    def first_url(self) -> str:
        newest, _ = self.newest_stored
        return newer_than(self.start_url, newest) if newest else self.start_url
