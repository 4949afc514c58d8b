"""Path converters: ids in URLs are only what the database can hold."""

MAX_ID = 2**63 - 1  # BigAutoField's largest value on PostgreSQL and SQLite


def parse_id(value) -> int | None:
    """The id in `value` (1 … 2**63-1, ASCII digits), or None: for ids from forms and query strings."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """`<id:pk>`: a database id. Anything else (0, ²,  a number past 2**63-1) is a 404, not a 500."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("past the database's range")  # Django answers 404 for this path
        return number

    def to_url(self, value) -> str:
        return str(value)
