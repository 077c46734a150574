"""identify_song (continuous, short): "what's this song?" -> hum -> the title, or honest doubt.

Follow-ups within the follow-up window: "no, that's wrong" offers the next candidate; "play it"
is handled by play_music through the conversation state (``last_song_id``).
"""

from __future__ import annotations

import numpy as np

from skills.base import Reply, SkillContext, SkillKind, Utterance

__all__ = ["IdentifySongSkill"]


class IdentifySongSkill:
    name = "identify_song"
    intents = ("identify_song",)
    kind = SkillKind.CONTINUOUS

    def __init__(self, *, top_k: int = 5, **_: object) -> None:
        self.top_k = top_k

    def handle(self, utterance: Utterance, ctx: SkillContext) -> Reply:
        if utterance.intent == "deny":
            return self._next_candidate(ctx)
        if utterance.intent == "affirm":
            return Reply("router.affirm_nothing")
        if ctx.library is None:
            return Reply("library.unavailable", {"reason": "No library is configured."})
        return Reply("identify.prompt", listen_for="melody")

    def on_audio(self, samples: np.ndarray, sample_rate_hz: int, ctx: SkillContext) -> Reply:
        if ctx.library is None:
            return Reply("library.unavailable", {"reason": "No library is configured."})
        result = ctx.library.identify(samples, sample_rate_hz, top_k=self.top_k)
        state = ctx.state
        state.clear_results()
        state.last_query_z = getattr(result, "query_z", None)
        if result.verdict == "no_melody" or not result.results:
            state.last_song_id = None
            return Reply("identify.no_melody")
        state.last_results = [r.to_dict() for r in result.results]
        best = result.results[0]
        if result.verdict == "match":
            state.last_song_id = best.song_id
            return Reply("identify.match", {"title": best.title}, follow_up=True)
        state.last_song_id = best.song_id
        if len(result.results) >= 2:
            return Reply("identify.unsure_two", {"first": best.title, "second": result.results[1].title},
                         follow_up=True)
        return Reply("identify.unsure_one", {"first": best.title}, follow_up=True)

    def _next_candidate(self, ctx: SkillContext) -> Reply:
        state = ctx.state
        if not state.last_results:
            return Reply("identify.nothing_to_correct")
        state.candidate_index += 1
        if state.candidate_index >= len(state.last_results):
            state.last_song_id = None
            return Reply("identify.no_more_candidates")
        nxt = state.last_results[state.candidate_index]
        state.last_song_id = str(nxt["song_id"])
        return Reply("identify.next_candidate", {"title": str(nxt["title"])}, follow_up=True)
