"""Which advice is the assessment's and which a review's: one definition for every figure.

A review's requests and items (`review` set) are chased by the same ladder, but they are no part
of the assessment's 6 weeks: the drafting gate, the 6-week outcomes (reports.selectors.outcomes),
the monthly figures and the non-return audit read `for_assessment()`; the DCO's page of health
reports for reviews reads `for_reviews()` (docs/decisions/0044-annual-reviews.md)."""

from django.db import models

# The same rule as a Q, for a join from another table (prefix it) or a condition in a CASE.
FOR_ASSESSMENT = models.Q(review__isnull=True)
FOR_REVIEWS = models.Q(review__isnull=False)


class AdviceQuerySet(models.QuerySet):
    def for_assessment(self):
        """Advice asked for the EHC needs assessment (the 6-week figures)."""
        return self.filter(FOR_ASSESSMENT)

    def for_reviews(self):
        """Reports asked for annual reviews (due before the meeting)."""
        return self.filter(FOR_REVIEWS)


def is_for_review(row) -> bool:
    """The same rule for a row already read."""
    return row.review_id is not None


class ReviewLabelled:
    """A list's row (a queue's item or request, read as values) that says whether it is a review's:
    `review_id`, `review_meeting_on` and `due_on` among its fields, read in the list's one query."""

    __slots__ = ()

    @property
    def review_label(self) -> str:
        """ "Annual review: meeting on 10 May 2027, report due 26 Apr 2027"; "" for an assessment's."""
        if self.review_id is None:
            return ""
        meeting = f"meeting on {self.review_meeting_on:%-d %b %Y}, " if self.review_meeting_on else ""
        return f"Annual review: {meeting}report due {self.due_on:%-d %b %Y}"
