"""Domain rules as plain functions. They flush but never commit; routes commit once."""


class DomainError(Exception):
    """A rule was broken; the message is shown to the person who tried (already translated)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        #: The form field the message belongs beside, when there is one.
        self.field = field


class NotFound(DomainError):
    pass
