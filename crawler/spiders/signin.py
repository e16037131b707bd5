"""Kinds whose API wants a sign-in before the first page, then a Bearer token."""

from __future__ import annotations

from collections.abc import Callable

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.exceptions import CredentialsError
from crawler.runs import FAILURES
from crawler.spiders.base import API_ERROR_STATUSES, SourceSpider, failure_kind


class SignInSpider(SourceSpider):
    """Signs in once per crawl in ``authorise``; the token goes on as
    ``Authorization: Bearer`` to the API's host only (see crawler/credentials.py)."""

    handle_httpstatus_list = API_ERROR_STATUSES
    access_token: str | None = None

    async def sign_in(self, request: Request, token_of: Callable[[Response], str]) -> bool:
        """Send `request` and keep the token `token_of` reads from the answer; False, the
        failure counted and logged, when that fails. `request` never passes the
        scheduler: a sign-in must not wait in a shared Redis queue, nor be retried
        by another worker."""
        assert self.crawler.engine is not None
        try:
            self.access_token = token_of(await self.crawler.engine.download_async(request))
        except CredentialsError as exc:
            self.report_sign_in_failure("credentials_refused", str(exc))
            return False
        except Exception as exc:  # any download failure: a timeout, a refused address
            self.report_sign_in_failure(failure_kind(Failure(exc)), str(exc))
            return False
        return True

    def report_sign_in_failure(self, kind: str, reason: str) -> None:
        self.count(FAILURES)
        self.count(f"{FAILURES}/{kind}")
        self.logger.error("source %s: sign-in failed: %s", self.source_name, reason)

    def credential_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
