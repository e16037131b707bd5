"""Storage: SQLAlchemy 2.0 models, sessions, idempotent upserts and Alembic migrations."""
