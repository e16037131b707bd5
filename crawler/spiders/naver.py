"""Naver Search Open API: blog, news and cafe article searches (``/v1/search/*.json``)."""

from __future__ import annotations

from datetime import datetime

from crawler.spiders.base import API_ERROR_STATUSES, SourceSpider


class NaverSpider(SourceSpider):
    """Pages a search sorted by date (``sort=date``) with ``start``; stops at the first
    page that holds nothing new. Sends the application's client id and secret."""

    name = "naver"
    handle_httpstatus_list = API_ERROR_STATUSES
    # A brand nobody wrote about this week is an empty answer, not a broken source.
    expects_content = False

    def credential_headers(self) -> dict[str, str]:
        return {
            "X-Naver-Client-Id": self.credentials.naver_client_id or "",
            "X-Naver-Client-Secret": self.credentials.naver_client_secret or "",
        }

    def older_than_stored(self, published: datetime, newest: datetime) -> bool:
        # Blog posts are dated by the day: today's may still be new after today's stored.
        return published < newest
