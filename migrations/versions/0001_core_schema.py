"""core schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:51:08.048560
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("wikidata_id", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_actor_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_actor_name"), ["name"], unique=False)

    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geonames_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_name"), ["name"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_domain"), ["domain"], unique=False)

    op.create_table(
        "actor_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("normalised", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor_id", "normalised", "language"),
    )
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_alias_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actor_alias_normalised"), ["normalised"], unique=False)

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("raw_text", sa.String(), nullable=False),
        sa.Column("lemmas", sa.String(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_precision", sa.String(length=8), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_hash"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_language"), ["language"], unique=False)
        batch_op.create_index("ix_article_published_at_id", ["published_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_url"), ["url"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=40), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=8), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("modality", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_mode"), ["mode"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_signature"), ["signature"], unique=False)
        batch_op.create_index("ix_event_type_date", ["type", "date"], unique=False)

    op.create_table(
        "place_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("normalised", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("place_id", "normalised", "language"),
    )
    with op.batch_alter_table("place_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_alias_normalised"), ["normalised"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_alias_place_id"), ["place_id"], unique=False)

    op.create_table(
        "event_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("sentence_index", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.String(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("reported_by_actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reported_by_actor_id"], ["actor.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_evidence_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_evidence_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_evidence_reported_by_actor_id"),
            ["reported_by_actor_id"],
            unique=False,
        )

    op.create_table(
        "event_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "actor_id", "role"),
    )
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_participant_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_participant_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "event_quantity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "name"),
    )
    with op.batch_alter_table("event_quantity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_quantity_event_id"), ["event_id"], unique=False)

    op.create_table(
        "mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("sentence_index", sa.Integer(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(), nullable=False),
        sa.CheckConstraint(
            "(actor_id IS NULL) <> (place_id IS NULL)", name="ck_mention_actor_xor_place"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["actor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mention_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mention_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mention_place_id"), ["place_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_place_id"))
        batch_op.drop_index(batch_op.f("ix_mention_article_id"))
        batch_op.drop_index(batch_op.f("ix_mention_actor_id"))

    op.drop_table("mention")
    with op.batch_alter_table("event_quantity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_quantity_event_id"))

    op.drop_table("event_quantity")
    with op.batch_alter_table("event_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_participant_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_participant_actor_id"))

    op.drop_table("event_participant")
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_evidence_reported_by_actor_id"))
        batch_op.drop_index(batch_op.f("ix_event_evidence_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_evidence_article_id"))

    op.drop_table("event_evidence")
    with op.batch_alter_table("place_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_alias_place_id"))
        batch_op.drop_index(batch_op.f("ix_place_alias_normalised"))

    op.drop_table("place_alias")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_type_date")
        batch_op.drop_index(batch_op.f("ix_event_signature"))
        batch_op.drop_index(batch_op.f("ix_event_place_id"))
        batch_op.drop_index(batch_op.f("ix_event_mode"))
        batch_op.drop_index(batch_op.f("ix_event_date"))

    op.drop_table("event")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_url"))
        batch_op.drop_index(batch_op.f("ix_article_source_id"))
        batch_op.drop_index("ix_article_published_at_id")
        batch_op.drop_index(batch_op.f("ix_article_language"))

    op.drop_table("article")
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_alias_normalised"))
        batch_op.drop_index(batch_op.f("ix_actor_alias_actor_id"))

    op.drop_table("actor_alias")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_domain"))

    op.drop_table("source")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_name"))
        batch_op.drop_index(batch_op.f("ix_place_country"))

    op.drop_table("place")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_name"))
        batch_op.drop_index(batch_op.f("ix_actor_kind"))
        batch_op.drop_index(batch_op.f("ix_actor_country"))

    op.drop_table("actor")
