"""Errors raised by the sentiment package."""


class SentimentError(Exception):
    """Root of the sentiment package's errors."""


class ModelLoadError(SentimentError):
    """A model or tokenizer could not be loaded from the given id or directory."""


class LabelMappingError(SentimentError):
    """A model's labels cannot be mapped to negative / neutral / positive."""


class DatasetError(SentimentError):
    """A labelled data file is missing, unreadable or holds a malformed row."""


class TrainingError(SentimentError):
    """Training cannot start or continue (bad parameters, unusable checkpoint)."""


class InvalidInputError(SentimentError):
    """A text to score is malformed (not a string, rating outside 1-5)."""
