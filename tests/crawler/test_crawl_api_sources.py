"""The API kinds (naver, youtube, googleplay, bluesky) crawled for real over HTTP, with
their credentials from the environment: sent to the API's host only, never logged.

The fake server answers with saved real API payloads (tests/fixtures/README.md); the
sign-in answers (Google's token endpoint, Bluesky's createSession) are the fake
service's own. Three crawls: with credentials, without them, with keys refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from config.settings import load_settings
from crawler.job import CrawlSummary
from crawler.parsing.field_values import with_query
from crawler.runner import crawl_sources
from storage.migrate import upgrade
from tests.crawler.conftest import JSON, fixture_bytes, stderr_into
from tests.fakes.http_server import FakeHttpServer, RecordedRequest

NAVER = "/v1/search/blog.json?query=jeju&display=10&sort=date"
ELSEWHERE = "/elsewhere/naver-news.json"
YOUTUBE = "/youtube/v3/commentThreads?part=snippet,replies&videoId=F1UP7wRCPH8&order=time"
PLAY = "/androidpublisher/v3/applications/com.onebox.crm/reviews"
BLUESKY = "/xrpc/app.bsky.feed.searchPosts?q=redistricting&sort=latest"
SESSION = "/xrpc/com.atproto.server.createSession"
TOKEN = "/token"
REPLIES = "youtube_comment_threads_replies.json"
SECRETS = {
    "NAVER_CLIENT_ID": "naver-id-4f1c",
    "NAVER_CLIENT_SECRET": "naver-secret-9b2e",
    "YOUTUBE_API_KEY": "AIzaSy-test-key-77",
    "BLUESKY_HANDLE": "acme.bsky.social",
    "BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop",
}
ACCESS_TOKEN = "ya29.fake-play-token"
SESSION_JWT = "eyJ-fake-bluesky-session"


def _sources(server: FakeHttpServer) -> list[dict[str, Any]]:
    return [
        {
            "name": "naver",
            "kind": "naver",
            "url": server.url(NAVER),
            "keywords": ["제주도", "레시피"],
            "max_pages": 2,
        },
        {"name": "yt", "kind": "youtube", "url": server.url(YOUTUBE), "max_pages": 2},
        {"name": "play", "kind": "googleplay", "url": server.url(PLAY)},
        {
            "name": "bsky",
            "kind": "bluesky",
            "url": server.url(BLUESKY),
            "keywords": ["redistricting"],
        },
    ]


def _serve(server: FakeHttpServer) -> None:
    def json_route(path: str, body: bytes, status: int = 200) -> None:
        server.serve(path, body, status=status, content_type=JSON)

    json_route(NAVER, fixture_bytes("naver_blog_search.json"))
    # Page 2 moved to another host (localhost is not 127.0.0.1 to a client).
    elsewhere = server.url(ELSEWHERE).replace("127.0.0.1", "localhost")
    server.serve(NAVER + "&start=11", b"", status=302, headers={"Location": elsewhere})
    json_route(ELSEWHERE, fixture_bytes("naver_news_search.json"))
    threads = fixture_bytes("youtube_comment_threads.json")
    json_route(YOUTUBE, threads)
    token = json.loads(threads)["nextPageToken"]
    json_route(with_query(YOUTUBE, pageToken=token), fixture_bytes(REPLIES))
    first_play = fixture_bytes("googleplay_reviews_with_token.json")
    json_route(PLAY, first_play)
    play_token = json.loads(first_play)["tokenPagination"]["nextPageToken"]
    json_route(with_query(PLAY, token=play_token), fixture_bytes("googleplay_reviews.json"))
    json_route(TOKEN, json.dumps({"access_token": ACCESS_TOKEN, "token_type": "Bearer"}).encode())
    json_route(BLUESKY, fixture_bytes("bluesky_search_posts.json"))
    json_route(BLUESKY + "&cursor=25", b'{"posts": []}')
    json_route(SESSION, json.dumps({"accessJwt": SESSION_JWT, "did": "did:plc:x"}).encode())


@dataclass
class Crawl:
    summaries: dict[str, CrawlSummary]
    requests: list[RecordedRequest]
    log: str


@dataclass
class Scenario:
    server: FakeHttpServer
    database_url: str
    workdir: Path

    def crawl(self, environment: dict[str, str], names: list[str] | None = None) -> Crawl:
        # As a user runs it: a config file, the credentials in the environment.
        config = self.workdir / "repwatch.yaml"
        config.write_text(yaml.safe_dump(self.config()), encoding="utf-8")
        seen = len(self.server.requests)
        log = self.workdir / f"crawl-{seen}.log"
        with pytest.MonkeyPatch.context() as patch, stderr_into(log):
            for name in [*SECRETS, "GOOGLE_APPLICATION_CREDENTIALS"]:
                patch.delenv(name, raising=False)
            for name, value in environment.items():
                patch.setenv(name, value)
            settings = load_settings(config)
            summaries = crawl_sources(settings, names, verbose=True, progress=None)
        return Crawl(
            {summary.source: summary for summary in summaries},
            self.server.requests[seen:],
            log.read_text(encoding="utf-8", errors="replace"),
        )

    def config(self) -> dict[str, Any]:
        return {
            "database_url": self.database_url,
            "allow_private_networks": True,
            "brand": {"name": "Acme", "keywords": ["acme"]},
            "sources": _sources(self.server),
            "crawl": {"autothrottle": False},
        }


def _service_account(workdir: Path, server: FakeHttpServer) -> tuple[Path, bytes]:
    """A service-account key file whose token_uri is the fake server; and its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "acme-play",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "repwatch@acme-play.iam.gserviceaccount.com",
        "token_uri": server.url(TOKEN),
    }
    path = workdir / "service-account.json"
    path.write_text(json.dumps(account), encoding="utf-8")
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public


Runs = tuple[Scenario, dict[str, Crawl], bytes]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    workdir = tmp_path_factory.mktemp("api-crawl")
    url = f"sqlite:///{workdir / 'repwatch.db'}"
    upgrade(url)
    server = FakeHttpServer().start()
    try:
        _serve(server)
        key_file, public_key = _service_account(workdir, server)
        scenario = Scenario(server, url, workdir)
        environment = {**SECRETS, "GOOGLE_APPLICATION_CREDENTIALS": str(key_file)}
        crawls = {"signed in": scenario.crawl(environment)}
        crawls["no credentials"] = scenario.crawl({})
        refusal = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        server.serve(TOKEN, json.dumps(refusal), status=400, content_type=JSON)
        naver_refusal = fixture_bytes("naver_error_auth.json")
        server.serve(NAVER, naver_refusal, status=401, content_type=JSON)
        no_quota = fixture_bytes("youtube_error_quota.json")
        server.serve(YOUTUBE, no_quota, status=403, content_type=JSON)
        crawls["refused"] = scenario.crawl(environment, ["play", "naver", "yt"])
        yield scenario, crawls, public_key
    finally:
        server.stop()


def _to(crawl: Crawl, prefix: str) -> list[RecordedRequest]:
    return [r for r in crawl.requests if r.path.startswith(prefix)]


def test_every_api_kind_stores_its_mentions_page_after_page(runs: Runs) -> None:
    _, crawls, _ = runs

    numbers = {
        name: (s.items, s.new_items, s.errors, s.source_status)
        for name, s in crawls["signed in"].summaries.items()
    }
    assert numbers == {
        "naver": (8, 8, 0, "ok"),  # 4 blog posts, then 4 news articles on the moved page 2
        "yt": (5 + 12, 17, 0, "ok"),  # page 2: three threads with their 9 replies
        "play": (1 + 4, 5, 0, "ok"),
        "bsky": (5, 5, 0, "ok"),
    }


def test_credentials_go_as_headers_to_the_api_host_only(runs: Runs) -> None:
    _, crawls, _ = runs
    crawl = crawls["signed in"]

    for request in _to(crawl, "/v1/search/blog.json"):
        assert request.headers["X-Naver-Client-Id"] == SECRETS["NAVER_CLIENT_ID"]
        assert request.headers["X-Naver-Client-Secret"] == SECRETS["NAVER_CLIENT_SECRET"]
    (moved,) = _to(crawl, ELSEWHERE)
    assert moved.headers["Host"].startswith("localhost:")
    assert not {"X-Naver-Client-Id", "X-Naver-Client-Secret"} & set(moved.headers)
    youtube = _to(crawl, "/youtube/v3/commentThreads")
    assert len(youtube) == 2
    assert {r.headers["X-Goog-Api-Key"] for r in youtube} == {SECRETS["YOUTUBE_API_KEY"]}
    assert not any("key=" in r.path for r in youtube)  # never in a URL, so never in a log
    assert {r.headers["Authorization"] for r in _to(crawl, PLAY)} == {f"Bearer {ACCESS_TOKEN}"}
    assert {r.headers["Authorization"] for r in _to(crawl, "/xrpc/app.bsky.feed")} == {
        f"Bearer {SESSION_JWT}"
    }


def test_google_play_signs_in_with_a_jwt_signed_by_the_service_account(runs: Runs) -> None:
    scenario, crawls, public_key = runs

    (sign_in,) = _to(crawls["signed in"], TOKEN)
    form = {name: values[0] for name, values in parse_qs(sign_in.body.decode()).items()}
    assert sign_in.method == "POST"
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = jwt.decode(
        form["assertion"], public_key, algorithms=["RS256"], audience=scenario.server.url(TOKEN)
    )
    assert claims["iss"] == "repwatch@acme-play.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/androidpublisher"
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(form["assertion"])["kid"] == "k1"


def test_bluesky_signs_in_with_the_app_password_and_without_it_asks_anonymously(
    runs: Runs,
) -> None:
    _, crawls, _ = runs

    (session,) = _to(crawls["signed in"], SESSION)
    assert json.loads(session.body) == {
        "identifier": SECRETS["BLUESKY_HANDLE"],
        "password": SECRETS["BLUESKY_APP_PASSWORD"],
    }
    anonymous = crawls["no credentials"]
    assert _to(anonymous, SESSION) == []
    searches = _to(anonymous, "/xrpc/app.bsky.feed.searchPosts")
    assert searches and not any("Authorization" in r.headers for r in searches)
    # The rerun asks only for posts since the newest one stored.
    assert "since=2025-05-19T17:10:09.561858Z" in searches[0].path.replace("%3A", ":")


def test_without_credentials_a_source_fetches_nothing_and_says_what_to_set(runs: Runs) -> None:
    _, crawls, _ = runs
    crawl = crawls["no credentials"]

    broken = {
        name: (s.source_status, s.error_summary)
        for name, s in crawl.summaries.items()
        if name != "bsky"
    }
    assert broken == {
        "naver": ("broken", "1 missing credentials (set NAVER_CLIENT_ID and NAVER_CLIENT_SECRET)"),
        "yt": ("broken", "1 missing credentials (set YOUTUBE_API_KEY)"),
        "play": ("broken", "1 missing credentials (set GOOGLE_APPLICATION_CREDENTIALS)"),
    }
    assert all(s.became_broken for name, s in crawl.summaries.items() if name in broken)
    assert _to(crawl, "/v1/search") == _to(crawl, "/youtube") == _to(crawl, PLAY) == []
    assert "kind naver needs NAVER_CLIENT_ID and NAVER_CLIENT_SECRET in the environment" in (
        crawl.log
    )


def test_a_refused_service_account_breaks_the_source_with_googles_reason(runs: Runs) -> None:
    _, crawls, _ = runs
    crawl = crawls["refused"]

    play = crawl.summaries["play"]
    assert (play.source_status, play.error_summary) == (
        "broken",
        "1 failed requests (credentials_refused: 1)",
    )
    assert _to(crawl, PLAY) == []
    assert (
        "sign-in failed: Google's token endpoint refused the sign-in "
        "(400, invalid_grant: Invalid JWT Signature.)"
    ) in crawl.log


def test_no_secret_reaches_a_log(runs: Runs) -> None:
    scenario, crawls, _ = runs
    key_file = json.loads((scenario.workdir / "service-account.json").read_text())
    private_key_line = key_file["private_key"].splitlines()[1]
    logs = "\n".join(crawl.log for crawl in crawls.values())

    assert "Crawled (200)" in logs or "Spider opened" in logs  # the INFO log was captured
    for secret in [
        *(value for name, value in SECRETS.items() if name != "BLUESKY_HANDLE"),
        ACCESS_TOKEN,
        SESSION_JWT,
        private_key_line,
    ]:
        assert secret not in logs


def test_an_api_refusing_a_key_or_out_of_quota_says_why_in_the_log(runs: Runs) -> None:
    _, crawls, _ = runs
    crawl = crawls["refused"]

    naver, youtube = crawl.summaries["naver"], crawl.summaries["yt"]
    assert (naver.source_status, naver.error_summary) == (
        "broken",
        "1 failed requests (http_401: 1)",  # an API's JSON 401 is no login wall
    )
    assert youtube.error_summary == "1 failed requests (http_403: 1)"
    assert "answered 401: Naver answered error 024: Not Exist Client ID" in crawl.log
    assert "answered 403: YouTube answered error 403 quotaExceeded" in crawl.log
