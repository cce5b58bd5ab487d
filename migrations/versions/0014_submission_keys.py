"""submission keys: one record per form, however often it is sent

Revision ID: 0014_submission_keys
Revises: 0013_attendance_rollups
Create Date: 2026-12-07 10:20:00

A nullable key column and a unique index on each table a staff form creates rows in
(meetings, attendees, next steps, directory listings). A unique index rather than a unique
constraint: SQLite can add both without rebuilding the table, and a rebuild there drops the
old table, which with foreign keys on would cascade-delete the meetings' attendees and steps.
Rows from before have no key (NULL), which the index allows any number of.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_submission_keys'
down_revision = '0013_attendance_rollups'
branch_labels = None
depends_on = None

TABLES = ('team_meetings', 'team_attendees', 'team_next_steps', 'resources')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
            batch_op.create_index(f'ix_{table}_submission_key', ['submission_key'], unique=True)


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch: a batch would rebuild the
    # table on SQLite, and dropping the old one cascades to the rows that point at it.
    for table in reversed(TABLES):
        op.drop_index(f'ix_{table}_submission_key', table_name=table)
        op.drop_column(table, 'submission_key')
