"""PostgreSQL search that answers like FTS5: one word splitter, folded diacritics, event vectors

FTS5's unicode61 tokenizer splits on every character that is not a letter or digit and folds
Latin diacritics; PostgreSQL's default parser keeps `1.5`, `x.com/a` and `-16` (of `F-16`) as
single tokens and keeps accents, so the same query would find other articles. Here the text is
passed through `ckb_words()` (non-alphanumerics to spaces, FTS5's diacritic folding by
translate()) before `to_tsvector('simple', ...)`, and queries through `ckb_fold()`. The fold
table was read off SQLite's own tokenizer. Both functions are IMMUTABLE, as stored generated
columns need; changing them needs a new migration that rebuilds the columns.

Events get one vector over the summary (weight A) and all evidence sentences (weight B), kept by
triggers as event_fts is on SQLite, so that a query's words may come from different sentences.
Alias prefix lookups (`LIKE 'x%'`) get text_pattern_ops indexes, as a non-C collation cannot use
a plain btree index for them.

The database must use a UTF-8 character type: under LC_CTYPE=C, PostgreSQL does not lowercase
Cyrillic and its regular expressions see no letters outside ASCII.

SQLite: nothing to do.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FOLD_FROM = (
    "µÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄą"
    "ĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐ"
    "őŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙ"
    "ǚǛǜǞǟǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯ"
    "ȰȱȲȳͿςϐϑϕϖϰϱϵԨԪԬԮḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪ"
    "ḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦ"
    "ṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạẢảẤấẦầ"
    "ẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợ"
    "ỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)
FOLD_TO = (
    "μaaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaa"
    "ccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnooooo"
    "orrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzsoouuaaiioouuuuuuu"
    "uuuaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeoooooo"
    "ooyyͿσβθφπκρεԨԪԬԮaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhh"
    "hiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrsssssss"
    "sssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaaaaaaaa"
    "aaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooo"
    "uuuuuuuuuuuuuuyyyyyyyy"
)


_ARTICLE_VECTOR = """
    setweight(to_tsvector('simple', ckb_words(coalesce(title, ''))), 'A')
    || setweight(to_tsvector('simple', ckb_words(body)), 'B')
    || setweight(to_tsvector('simple', ckb_words(lemmas)), 'C')
"""
_OLD_ARTICLE_VECTOR = """
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', body), 'B')
    || setweight(to_tsvector('simple', lemmas), 'C')
"""

UP = [
    f"""CREATE FUNCTION ckb_fold(t text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN translate(t, '{FOLD_FROM}', '{FOLD_TO}')""",
    """CREATE FUNCTION ckb_words(t text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN ckb_fold(regexp_replace(t, '[^[:alnum:]]+', ' ', 'g'))""",
    "DROP INDEX IF EXISTS ix_article_search_vector",
    "ALTER TABLE article DROP COLUMN IF EXISTS search_vector",
    f"ALTER TABLE article ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({_ARTICLE_VECTOR}) STORED",
    "CREATE INDEX ix_article_search_vector ON article USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_event_evidence_search_vector",
    "ALTER TABLE event_evidence DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_event_search_vector",
    "ALTER TABLE event DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE event ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector",
    """CREATE FUNCTION ckb_event_vector(summary text, event_id integer) RETURNS tsvector
        LANGUAGE sql STABLE PARALLEL SAFE
        RETURN setweight(to_tsvector('simple', ckb_words(summary)), 'A')
            || setweight(to_tsvector('simple', ckb_words(coalesce(
                (SELECT string_agg(sentence_text, E'\\n' ORDER BY id)
                 FROM event_evidence WHERE event_evidence.event_id = $2), ''))), 'B')""",
    """CREATE FUNCTION ckb_event_set_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := ckb_event_vector(NEW.summary, NEW.id);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER event_search_vector BEFORE INSERT OR UPDATE OF summary ON event
        FOR EACH ROW EXECUTE FUNCTION ckb_event_set_vector()""",
    # Statement-level with transition tables: a batch of evidence rows for one event costs one
    # recomputation of that event's vector, not one per row.
    """CREATE FUNCTION ckb_evidence_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE event e SET search_vector = ckb_event_vector(e.summary, e.id)
            WHERE e.id IN (SELECT event_id FROM new_rows);
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE event e SET search_vector = ckb_event_vector(e.summary, e.id)
            WHERE e.id IN (SELECT event_id FROM old_rows);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER event_evidence_insert AFTER INSERT ON event_evidence
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ckb_evidence_changed()""",
    """CREATE TRIGGER event_evidence_update AFTER UPDATE ON event_evidence
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ckb_evidence_changed()""",
    """CREATE TRIGGER event_evidence_delete AFTER DELETE ON event_evidence
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ckb_evidence_changed()""",
    "UPDATE event SET search_vector = ckb_event_vector(summary, id)",
    "CREATE INDEX ix_event_search_vector ON event USING gin (search_vector)",
    "CREATE INDEX ix_actor_alias_normalised_pattern ON actor_alias (normalised text_pattern_ops)",
    "CREATE INDEX ix_place_alias_normalised_pattern ON place_alias (normalised text_pattern_ops)",
]

DOWN = [
    "DROP INDEX IF EXISTS ix_place_alias_normalised_pattern",
    "DROP INDEX IF EXISTS ix_actor_alias_normalised_pattern",
    "DROP TRIGGER IF EXISTS event_evidence_delete ON event_evidence",
    "DROP TRIGGER IF EXISTS event_evidence_update ON event_evidence",
    "DROP TRIGGER IF EXISTS event_evidence_insert ON event_evidence",
    "DROP TRIGGER IF EXISTS event_search_vector ON event",
    "DROP FUNCTION IF EXISTS ckb_evidence_changed()",
    "DROP FUNCTION IF EXISTS ckb_event_set_vector()",
    "DROP INDEX IF EXISTS ix_event_search_vector",
    "ALTER TABLE event DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS ckb_event_vector(text, integer)",
    # 0004's shape again.
    """ALTER TABLE event ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', summary)) STORED""",
    "CREATE INDEX ix_event_search_vector ON event USING gin (search_vector)",
    """ALTER TABLE event_evidence ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', sentence_text)) STORED""",
    "CREATE INDEX ix_event_evidence_search_vector ON event_evidence USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_article_search_vector",
    "ALTER TABLE article DROP COLUMN IF EXISTS search_vector",
    f"ALTER TABLE article ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({_OLD_ARTICLE_VECTOR}) STORED",
    "CREATE INDEX ix_article_search_vector ON article USING gin (search_vector)",
    "DROP FUNCTION IF EXISTS ckb_words(text)",
    "DROP FUNCTION IF EXISTS ckb_fold(text)",
]


def _check_ctype() -> None:
    ctype = op.get_bind().execute(text("SHOW lc_ctype")).scalar_one()
    if str(ctype).upper() in {"C", "POSIX"}:
        raise RuntimeError(
            f"this database has LC_CTYPE={ctype}; full-text search needs a UTF-8 character type "
            "(create the database with ENCODING 'UTF8' LC_CTYPE 'C.UTF-8', "
            "or initdb --locale=C.UTF-8)"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _check_ctype()
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DOWN:
        op.execute(statement)
