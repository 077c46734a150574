"""play_music (static): "play Greensleeves" / "play some jigs" / "play something calm" / "play it"."""

from __future__ import annotations

from skills.base import Reply, SkillContext, SkillKind, Utterance

__all__ = ["PlayMusicSkill"]

class PlayMusicSkill:
    name = "play_music"
    intents = ("play_music",)
    kind = SkillKind.STATIC

    def __init__(self, **_: object) -> None:
        pass

    def handle(self, utterance: Utterance, ctx: SkillContext) -> Reply:
        lib = ctx.library
        if lib is None:
            return Reply("library.unavailable", {"reason": "No library is configured."})
        ents = utterance.entities
        title = ents.get("song_title")
        collection = ents.get("collection") or ents.get("genre")
        mood = ents.get("mood")
        text = utterance.text.lower()
        if title or collection or mood:
            found = lib.search_metadata(title=title, collection=collection, mood=mood, limit=1)
            if not found:
                return Reply("play.not_found", {"what": title or collection or mood or "that"})
            return self._play(found[0], ctx, "play.playing_collection" if collection and not title else "play.playing")
        if ("like what i" in text or "similar" in text or "like that" in text) and ctx.state.last_query_z is not None:
            found = lib.similar_to(ctx.state.last_query_z, limit=1)
            if found:
                return self._play(found[0], ctx, "play.similar")
        if ctx.state.last_song_id:  # "play it", "play that one": the song we just talked about
            return self._play(lib.song(ctx.state.last_song_id), ctx, "play.playing")
        return Reply("play.nothing_identified")

    @staticmethod
    def _play(song: object, ctx: SkillContext, key: str) -> Reply:
        title = str(getattr(song, "title", "that"))
        collection = str(getattr(song, "collection", ""))
        path = getattr(song, "audio_path", None)
        ctx.state.last_song_id = str(getattr(song, "song_id", ctx.state.last_song_id))
        return Reply(key, {"title": title, "collection": collection}, play_path=None if path is None else str(path),
                     follow_up=True)
