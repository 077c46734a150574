"""The vocabulary gate: an utterance with no content word the assistant knows is not a command.

Rasa's intent classifier must pick among the intents it knows, and for some real-word nonsense
("purple staircase yesterday") it is confidently wrong, too confident for the FallbackClassifier's
threshold. Every command the assistant understands is built from words of its own language: the NLU
examples, their entity values and lookup tables (``PhraseSet.vocabulary``). So when none of an
utterance's content words is in that vocabulary, the answer is the fallback ("Sorry, I didn't get
that"), whatever Rasa would say. Function words ("the", "me", "it") do not count as knowing the
utterance. Spoken input rarely meets the gate (the recogniser's language is that vocabulary); typed
input (``converse`` scripts, a chat front end) does. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FUNCTION_WORDS", "content_words", "outside_vocabulary"]

#: Words that say nothing about what is asked; an utterance is not "known" because it contains them.
FUNCTION_WORDS: frozenset[str] = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "it's", "i", "i'm", "i'd", "me", "my",
    "mine", "you", "you're", "your", "we", "us", "our", "he", "she", "him", "her", "they", "them", "their",
    "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "of", "to", "in", "on", "at", "by",
    "for", "with", "from", "and", "or", "but", "so", "not", "no", "yes", "oh", "um", "uh", "er", "hey", "hi",
    "please", "just", "some", "any", "very", "really",
))


def content_words(text: str) -> list[str]:
    """Lower-case words of ``text`` without punctuation at their ends and without function words."""
    words = (w.strip(".,!?;:\"()[]{}").lower() for w in text.split())
    return [w for w in words if w and w not in FUNCTION_WORDS]


def outside_vocabulary(text: str, vocabulary: Iterable[str] | frozenset[str]) -> bool:
    """True when ``text`` has content words and none of them is in ``vocabulary`` (an empty vocabulary
    gates nothing)."""
    vocab = vocabulary if isinstance(vocabulary, (set, frozenset)) else frozenset(vocabulary)
    if not vocab:
        return False
    words = content_words(text)
    return bool(words) and not any(w in vocab for w in words)
