"""flag mentions that need a score

Revision ID: 9b1d3c5e7f20
Revises: 718f2141bee4
Create Date: 2026-11-29 02:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9b1d3c5e7f20'
down_revision: str | None = '718f2141bee4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_score', sa.Boolean(), server_default=sa.true(), nullable=False))
    # Mentions already scored for their current text need no other score.
    op.execute(
        "UPDATE mentions SET needs_score = false WHERE EXISTS ("
        "SELECT 1 FROM scores WHERE scores.mention_id = mentions.id "
        "AND scores.content_hash = mentions.content_hash)"
    )
    op.create_index(
        'ix_mentions_needs_score',
        'mentions',
        ['id'],
        unique=False,
        postgresql_where=sa.text('needs_score'),
        sqlite_where=sa.text('needs_score = 1'),
    )


def downgrade() -> None:
    op.drop_index(
        'ix_mentions_needs_score',
        table_name='mentions',
        postgresql_where=sa.text('needs_score'),
        sqlite_where=sa.text('needs_score = 1'),
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_column('needs_score')
