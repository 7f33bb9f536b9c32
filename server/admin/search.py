"""Search as people type it: with or without Vietnamese diacritics ("cho hom" finds "Chợ Hôm"),
as the PWA's own search does (pwa/src/shared/text.js). SQL LIKE cannot fold accents on SQLite,
so the admin lists (a few thousand rows at most) match in Python."""

import unicodedata


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())


def matches(query: str, *texts: str | None) -> bool:
    """Every word of the query occurs somewhere in the texts."""
    haystack = fold(" ".join(t for t in texts if t))
    return all(word in haystack for word in fold(query).split())
