"""The Scrapy project that collects mentions: spiders, pipelines, middlewares, runner.

Parsing lives in :mod:`crawler.parsing` (pure functions over saved payloads); the
spiders fetch and hand bodies to it; the pipelines validate, normalise and store.
"""
