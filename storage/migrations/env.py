"""Alembic environment: the database URL comes from the repwatch configuration."""

from alembic import context

from storage.db import get_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "sqlalchemy.url is not set; run migrations through `repwatch db upgrade`"
        )
    connectable = get_engine(url)
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy a table and drop the old one; with foreign keys on,
            # that drop would cascade to the rows that reference it (scores, alerts...).
            # The pragma only takes effect outside a transaction, hence before it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations()
