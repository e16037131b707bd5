"""Item pipelines, in order: validate → normalise → store (see ``ITEM_PIPELINES``)."""
