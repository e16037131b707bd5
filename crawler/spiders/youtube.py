"""YouTube Data API ``commentThreads`` of one video or of a channel's videos."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider


class YouTubeSpider(SourceSpider):
    """Pages with ``pageToken``; sends the API key as ``X-Goog-Api-Key``, never in the URL."""

    name = "youtube"
    # A video nobody has commented on yet answers with no items.
    expects_content = False

    def credential_headers(self) -> dict[str, str]:
        return {"X-Goog-Api-Key": self.credentials.youtube_api_key or ""}
