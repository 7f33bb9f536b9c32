"""Password rules (DESIGN §9), applied wherever a password is set: create-user, the admin API.

At least 10 characters, not the username (nor the username with a few digits around it), and
not one of the passwords every guessing list starts with. Vietnamese words are welcome: length
counts characters, not bytes.
"""

import unicodedata

from server.core.errors import ApiError

MIN_LENGTH = 10

# The top of the public leaked-password lists, plus local favourites; compared ignoring case.
_COMMON_LIST = """
    123456789 1234567890 12345678910 0123456789 9876543210 1111111111 0000000000 1234512345
    1q2w3e4r5t qwertyuiop 1qaz2wsx3edc qwerty1234 qwerty12345 asdfghjkl; password12 password123
    password1234 passw0rd123 iloveyou12 iloveyou123 abc1234567 abcd123456 abcdefghij
    aaaaaaaaaa zaq12wsxcde trustno1234 football12 baseball12 sunshine12 princess12
    welcome123 admin12345 admin123456 administrator letmein123 changeme12 changeme123
    matkhau123 matkhau1234 matkhaumoi 123456aa@ 12345678aa vietnam123 vietnam1234
    hanoi12345 anhyeuem123 emyeuanh123 chucmung123 choxanh123 choxanh2023 cho_xanh_2023
"""
COMMON = frozenset(_COMMON_LIST.split())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why this password may not be used, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"A password needs at least {MIN_LENGTH} characters."
    folded = _fold(password)
    if username and _fold(username).strip() and _fold(username) in folded and (
        len(folded) - len(_fold(username)) < 6
    ):
        return "A password may not be the username (or the username with a few characters)."
    if folded in COMMON or folded.strip(folded[0]) == "":
        return "This password is too common; choose a phrase only you would think of."
    return None


def check_password_rules(password: str, username: str | None = None) -> None:
    """Raise 422 `weak_password` when the password breaks a rule."""
    problem = password_problem(password, username)
    if problem:
        raise ApiError(422, "weak_password", problem, {"password": [problem]})
