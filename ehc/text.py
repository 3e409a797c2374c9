"""Small pieces of English the pages and messages share.

Organisation, team and person names are data: "Community paediatrics" or "St James" would read
"Community paediatrics's" with a bare `'s`. Style guides (GOV.UK's included) write a plural or a
name ending in s with the apostrophe alone, so one function decides it for every page and message.
"""


def possessive(name) -> str:
    """`name` followed by its possessive ending: "Torbay Council's", "Community paediatrics'"."""
    text = str(name or "").rstrip()
    if not text:
        return text
    return f"{text}'" if text[-1] in "sS" else f"{text}'s"
