"""Google Play Developer API ``reviews.list`` of one of the user's own apps."""

from __future__ import annotations

import time
from pathlib import Path

from crawler.auth.google import access_token, read_key_file, token_request
from crawler.exceptions import CredentialsError
from crawler.spiders.signin import SignInSpider

SCOPE = "https://www.googleapis.com/auth/androidpublisher"


class GooglePlaySpider(SignInSpider):
    """Signs in as the service account of ``GOOGLE_APPLICATION_CREDENTIALS`` (a user
    with access to the app in the Play Console), then pages with ``token``."""

    name = "googleplay"
    default_max_pages = 10
    # The API serves the last week's reviews: a quiet week is an empty answer.
    expects_content = False

    async def authorise(self) -> bool:
        key_file = Path(self.credentials.google_application_credentials or "")
        try:
            request = token_request(read_key_file(key_file), SCOPE, time.time())
        except CredentialsError as exc:
            self.report_sign_in_failure("credentials_refused", str(exc))
            return False
        return await self.sign_in(request, access_token)
