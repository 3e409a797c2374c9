"""B11's floors: the header search's first page by SQL, with no access check but the DCO's area."""

RESULTS = 51  # the page's 50 and one more, to know there are more


def search_by_name(cursor, *, icb_id, words):
    """The cases of the area's LAs whose child's name has a word starting with each of `words`."""
    query = " && ".join(["to_tsquery('simple', quote_literal(ehc_fold(%s)) || ':*')"] * len(words))
    cursor.execute(
        f"""SELECT c.id FROM assessments_case c
           JOIN assessments_child ch ON ch.id = c.child_id
           JOIN ehc_organisation la ON la.id = c.local_authority_id
           WHERE to_tsvector('simple'::regconfig, ehc_fold(ch.first_name || ' ' || ch.last_name)) @@ ({query})
             AND la.icb_id = %s
           ORDER BY ch.last_name, ch.first_name, c.received_on DESC, c.id LIMIT {RESULTS}""",
        [*words, icb_id],
    )
    return [row[0] for row in cursor.fetchall()]


def search_by_identifier(cursor, *, icb_id, column, value):
    cursor.execute(
        f"""SELECT c.id FROM assessments_case c
           JOIN assessments_child ch ON ch.id = c.child_id
           JOIN ehc_organisation la ON la.id = c.local_authority_id
           WHERE ch.{column} = %s AND la.icb_id = %s
           ORDER BY ch.last_name, ch.first_name, c.received_on DESC, c.id LIMIT {RESULTS}""",
        [value, icb_id],
    )
    return [row[0] for row in cursor.fetchall()]
