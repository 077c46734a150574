"""One ABC tune (text) -> :class:`~music_models.types.Tune`, with key, tempo and chords filled in."""

from __future__ import annotations

import logging
import os
import re
import warnings

from music_models.corpus.abc_text import (
    AbcTuneText,
    content_hash,
    first_voice_only,
    header_fields,
    parse_abc_key,
    parse_abc_meter,
    parse_abc_tempo_qpm,
)
from music_models.corpus.config import CorpusConfig
from music_models.corpus.dedupe import melody_signature
from music_models.corpus.harmoniser import HarmoniserConfig, harmonise
from music_models.corpus.keys import estimate_key, harmony_key
from music_models.corpus.melody import anacrusis_of_part, melody_from_part
from music_models.corpus.registry import CollectionSpec
from music_models.corpus.tempo import classify_tune_type, default_tempo_qpm
from music_models.errors import ParseError
from music_models.types import Key, Meter, Tune

__all__ = ["make_tune_id", "parse_abc_tune"]

logger = logging.getLogger(__name__)


def make_tune_id(*, spec: CollectionSpec, source: str, reference: int | None, index_in_file: int, digest: str) -> str:
    """``<collection>-<reference>-<hash8>``; the reference carries the file stem where X: is not unique."""
    stem = re.sub(r"[^A-Za-z0-9_.]+", "", os.path.splitext(os.path.basename(source))[0]) or "tune"
    number = f"{reference if reference is not None else index_in_file + 1:04d}"
    if spec.id_style == "x":
        return f"{spec.name}-{number}-{digest}"
    if spec.id_style == "file":
        return f"{spec.name}-{stem}-{digest}"
    return f"{spec.name}-{stem}-{number}-{digest}"


def parse_abc_tune(
    *, tune: AbcTuneText, spec: CollectionSpec, config: CorpusConfig | None = None,
    harmoniser: HarmoniserConfig | None = None,
) -> Tune:
    """Parse one tune with music21 and derive everything a catalog entry needs.

    Raises :class:`ParseError` (with the file name and X: number) when the tune cannot be used.
    """
    cfg = config or CorpusConfig()
    where = f"{os.path.basename(tune.source) or '<text>'} X:{tune.reference}"
    fields = header_fields(text=tune.text)
    if "K" not in fields:
        raise ParseError(f"{where}: no K: line ends the header; every ABC tune needs one (e.g. 'K:G')")
    meter = parse_abc_meter(text=fields.get("M", [""])[0])
    meter_free = meter is None
    meter = meter or Meter(4, 4)
    header_key = parse_abc_key(text=fields["K"][0])
    try:
        from music21 import converter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = converter.parse(first_voice_only(text=tune.text), format="abc")
        parts = list(score.parts) if hasattr(score, "parts") else []
        part = parts[0] if parts else score
        notes = melody_from_part(part)
        anacrusis = anacrusis_of_part(part, bar_beats=meter.bar_beats)
    except ParseError:
        raise
    except Exception as exc:  # music21 raises many kinds on malformed ABC
        raise ParseError(f"{where}: music21 could not parse it ({type(exc).__name__}: {exc})") from exc
    if len(notes) < cfg.min_notes:
        raise ParseError(f"{where}: only {len(notes)} melody notes (fewer than min_notes={cfg.min_notes})")
    pitches = [n.pitch for n in notes]
    durations = [n.duration_beats for n in notes]
    estimated = estimate_key(pitches=pitches, durations_beats=durations,
                             final_weight_beats=cfg.key_final_note_weight_beats)
    key_for_chords = harmony_key(header=header_key, estimated=estimated)
    # O'Neill's and Ryan's titles end in a full stop ("The Fyket."): drop it, replies add their own
    title = (fields.get("T") or [""])[0].strip().rstrip(". ").strip() or (
        f"{spec.name} {tune.reference or tune.index_in_file + 1}")
    tune_type = classify_tune_type(
        rhythm=" ".join(fields.get("R", [])), title=" ".join(fields.get("T", [])),
        notes_text=" ".join(fields.get("N", []) + fields.get("Q", [])), meter=None if meter_free else meter,
        default_type=spec.default_type,
    )
    tempo = None
    for q in fields.get("Q", []):
        tempo = parse_abc_tempo_qpm(text=q)
        if tempo is not None:
            break
    tempo_from = "Q" if tempo is not None else "default"
    if tempo is None:
        tempo = default_tempo_qpm(tune_type=tune_type, durations_beats=durations,
                                  notes_per_second=cfg.notes_per_second,
                                  min_qpm=cfg.min_tempo_qpm, max_qpm=cfg.max_tempo_qpm)
    chords = harmonise(notes=notes, meter=meter, key=key_for_chords, anacrusis_beats=anacrusis,
                       config=harmoniser)
    tune_id = make_tune_id(spec=spec, source=tune.source, reference=tune.reference,
                           index_in_file=tune.index_in_file, digest=content_hash(text=tune.text))
    extra = {
        "tune_type": tune_type,
        "tempo_from": tempo_from,
        "harmony_key": key_for_chords.to_dict(),
        "reference": tune.reference,
        "dedupe_key": melody_signature(pitches=pitches, n_intervals=cfg.dedupe_intervals),
    }
    if meter_free:
        extra["meter_free"] = True
    return Tune(
        tune_id=tune_id, title=title, collection=spec.name, meter=meter,
        key=header_key or estimated or Key(0, "major"), tempo_qpm=float(tempo), notes=tuple(notes),
        chords=chords, estimated_key=estimated, chord_source="harmoniser", anacrusis_beats=anacrusis,
        source=f"{spec.subdir}/{os.path.basename(tune.source)}", extra=extra,
    )
