"""Sentiment scoring: preprocess -> forward -> postprocess, label mapping, rating fusion.

Pure: no database access; the worker feeds texts in and stores the results. Import
:class:`sentiment.scorer.Scorer` to score (it loads torch); the input and result types
live in :mod:`sentiment.results`, which imports quickly.
"""
