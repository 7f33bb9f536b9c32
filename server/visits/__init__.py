"""Visits and their review, one domain (DESIGN §5.1 visit.upsert and review.decide, §6): the
handlers push calls, the record's queries for the review screens, the routes. The rules come
from shared_schema/ through server.forms."""
