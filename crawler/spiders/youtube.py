"""YouTube Data API ``commentThreads`` of one video or of a channel's videos."""

from __future__ import annotations

from crawler.spiders.base import API_ERROR_STATUSES, SourceSpider


class YouTubeSpider(SourceSpider):
    """Pages with ``pageToken``; sends the API key as ``X-Goog-Api-Key``, never in the URL."""

    name = "youtube"
    handle_httpstatus_list = API_ERROR_STATUSES
    # A video nobody has commented on yet answers with no items.
    expects_content = False

    def credential_headers(self) -> dict[str, str]:
        return {"X-Goog-Api-Key": self.credentials.youtube_api_key or ""}
