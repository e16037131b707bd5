"""Google Play Developer API ``reviews.list`` of one of the user's own apps."""

from __future__ import annotations

import time
from pathlib import Path

from twisted.python.failure import Failure

from crawler.exceptions import CredentialsError
from crawler.runs import FAILURES
from crawler.service_account import access_token, read_key_file, token_request
from crawler.spiders.base import SourceSpider, failure_kind

SCOPE = "https://www.googleapis.com/auth/androidpublisher"


class GooglePlaySpider(SourceSpider):
    """Signs in as the service account of ``GOOGLE_APPLICATION_CREDENTIALS`` (a user
    with access to the app in the Play Console), then pages with ``token``."""

    name = "googleplay"
    default_max_pages = 10
    # The API serves the last week's reviews: a quiet week is an empty answer.
    expects_content = False
    token: str | None = None

    async def authorise(self) -> bool:
        key_file = Path(self.credentials.google_application_credentials or "")
        try:
            request = token_request(read_key_file(key_file), SCOPE, time.time())
            # Straight to the downloader: a sign-in must not wait in a shared Redis queue.
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(request)
            self.token = access_token(response)
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
        self.logger.error("source %s: Google sign-in failed: %s", self.source_name, reason)

    def credential_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}
