"""The answer printer every exercise self-check uses (the checks themselves: ``course_utils.exercises``)."""

from __future__ import annotations


def respond(ok: bool, message: str) -> bool:
    """Prints a self-check's answer, ✅ or ❌ before the message, and returns ``ok``."""
    print(("✅ " if ok else "❌ ") + message)
    return ok

