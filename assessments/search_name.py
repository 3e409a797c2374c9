"""What a name search and its index share (assessments.search, Child.Meta.indexes, migration 0009).

Only what PostgreSQL has built in: the embedded PostgreSQL that `make test` and `make run` use (the
pgserver wheel) ships no contrib extension, so neither unaccent nor pg_trgm can be created there
(decision 0030). `ehc_fold` is an IMMUTABLE SQL function an index may call: lower case, the
accented Latin letters of names folded to their base letter (ß, æ, œ, þ spelt out), apostrophes
dropped, so O'Neill, O’Neill and oneill are one word. The index is a GIN full-text index of the
folded name ('simple' configuration: no stemming, no stop words); each word typed matches the start
of a word of the name (a hyphenated name is indexed whole and by its parts).
"""

from django.db.models import BooleanField, Func, TextField, Value

# Each letter of FOLD_FROM becomes the letter at its place in FOLD_TO.
FOLD_FROM = (
    "àÀáÁâÂãÃäÄåÅāĀăĂąĄçÇćĆĉĈċĊčČďĎđĐèÈéÉêÊëËēĒĕĔėĖęĘěĚĝĜğĞġĠģĢĥĤ"
    "ħĦìÌíÍîÎïÏĩĨīĪĭĬįĮıĵĴķĶĺĹļĻľĽŀĿłŁñÑńŃņŅňŇòÒóÓôÔõÕöÖøØōŌŏŎőŐŕ"
    "ŔŗŖřŘśŚŝŜşŞšŠșȘţŢťŤŧŦțȚùÙúÚûÛüÜũŨūŪŭŬůŮűŰųŲŵŴýÝÿŸŷŶźŹżŻžŽðÐ"
)
FOLD_TO = (
    "aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghh"
    "hhiiiiiiiiiiiiiiiiijjkkllllllllllnnnnnnnnoooooooooooooooooor"
    "rrrrrssssssssssttttttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzzdd"
)
# lower() follows the database's locale, which may not know accented capitals: they are in the table too.
FOLD_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION ehc_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ "
    "SELECT replace(replace(replace(replace(replace(replace(replace(replace("
    f"translate(lower($1), '{FOLD_FROM}', '{FOLD_TO}'), "
    "'ß', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'þ', 'th'), '''', ''), '’', '') $$"
)


class SearchName(Func):
    """to_tsvector('simple', ehc_fold(first_name || ' ' || last_name)): the expression of the index
    child_name_search. A search must use this very expression for the index to serve it."""

    template = "to_tsvector('simple'::regconfig, ehc_fold(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = TextField()


def _prefix(word):
    # quote_literal keeps whatever the word holds a single lexeme; ':*' makes it a prefix.
    return Func(
        Value(word), template="to_tsquery('simple'::regconfig, quote_literal(ehc_fold(%(expressions)s)) || ':*')"
    )


class NamePrefixes(Func):
    """The tsquery for the words typed: each folded word as a prefix, all required ('siob:* & onei:*').
    Folded to a constant when the query is planned: every function in it is immutable."""

    template = "(%(expressions)s)"
    arg_joiner = " && "
    output_field = TextField()

    def __init__(self, words):
        super().__init__(*[_prefix(word) for word in words])


class Matches(Func):
    """tsvector @@ tsquery, as a condition."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()
