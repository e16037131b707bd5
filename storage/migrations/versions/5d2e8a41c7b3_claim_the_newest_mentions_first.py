"""claim the newest mentions first

Revision ID: 5d2e8a41c7b3
Revises: 9b1d3c5e7f20
Create Date: 2026-12-06 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5d2e8a41c7b3'
down_revision: str | None = '9b1d3c5e7f20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_PG = sa.text('needs_score')
PENDING_SQLITE = sa.text('needs_score = 1')


def upgrade() -> None:
    op.drop_index('ix_mentions_needs_score', table_name='mentions', postgresql_where=PENDING_PG, sqlite_where=PENDING_SQLITE)
    op.create_index(
        'ix_mentions_needs_score_newest', 'mentions', ['published_at', 'id'], unique=False, postgresql_where=PENDING_PG, sqlite_where=PENDING_SQLITE
    )


def downgrade() -> None:
    op.drop_index('ix_mentions_needs_score_newest', table_name='mentions', postgresql_where=PENDING_PG, sqlite_where=PENDING_SQLITE)
    op.create_index('ix_mentions_needs_score', 'mentions', ['id'], unique=False, postgresql_where=PENDING_PG, sqlite_where=PENDING_SQLITE)
