"""Defaults of the song library: storage, search layout, melody gate, confidence calibration.

Importing this module is cheap (no numpy, no Qdrant), so the CLI reads its defaults from here.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from music_models.errors import ConfigError
from music_models.library.audio_melody import AudioMelodyConfig

__all__ = ["AUDIO_SUFFIXES", "MIDI_SUFFIXES", "Calibration", "LibraryBuildConfig", "LibraryConfig", "MelodyGateConfig",
           "MelodyMatchConfig"]

AUDIO_SUFFIXES: tuple[str, ...] = (".wav", ".flac", ".ogg", ".mp3")
MIDI_SUFFIXES: tuple[str, ...] = (".mid", ".midi")
WIDE_PITCH_TRACKS: tuple[str, ...] = ("pyin", "gate")


@dataclass(frozen=True)
class MelodyGateConfig:
    """The melody detector that runs before any search (``no_melody`` for silence, speech, noise).

    pYIN at one-semitone resolution and 40 ms hops finds voiced frames (~35 ms for 10 s); YIN's
    unquantised pitch on those frames measures gliding: the fraction of consecutive voiced frames whose
    pitch moves 0.15-0.7 semitones in 40 ms -- too much for a held note, too little for a note change.
    Speech glides through that band all the time; melodies hold notes and jump between them.
    Measured on 10 s synthetic queries of 20 corpus test tunes (music_models.queries; hum, whistle,
    sing, instrument; moderate and heavy degradation) and 40 espeak-ng speech clips
    (music_models.evaluation.nonmelodic; 31 had >= 2 s voiced): melodies 0.00-0.39, speech 0.49-0.70.
    Tried first and dropped: the median 40 ms pitch change and the 25th percentile of the 80 ms change
    (fast tunes -- eighth notes at 132 qpm -- looked like speech to both). Noise and silence have no
    voiced frames. Held out (15 other test tunes x 4 kinds per level, 40 other speech clips): melodies
    accepted 100% clean and moderate, 80-100% heavy (hum 80%, sing 87%); speech accepted 0/40.
    """

    sample_rate_hz: int = 16_000
    fmin_hz: float = 60.0
    fmax_hz: float = 3300.0  # whistles reach 3 kHz
    frame_length: int = 1024
    hop_length: int = 640  # 40 ms
    resolution_semitones: float = 1.0  # voicing only; finer is 5x slower
    min_voiced_s: float = 2.0  # less melody than this is "too short"
    glide_band_semitones: tuple[float, float] = (0.15, 0.7)  # a 40 ms pitch move in this band is a glide
    max_glide_fraction: float = 0.44  # more voiced frame pairs gliding than this: speech
    silence_dbfs: float = -60.0  # quieter than this overall: silence
    #: A melody that passes the gate only just is never a confident ``match`` (``unsure`` at most; the
    #: ranking is not touched): more gliding than ``sure_max_glide_fraction`` or fewer held-pitch frames
    #: than ``sure_min_steady_fraction``. Both are quantiles of 219 synthetic val-split queries that pass
    #: the gate (all kinds and levels): the 95th percentile of glide (0.349) and the 5th of steady (0.277),
    #: so ~9% of melodies are capped. Why: of 173 recordings of real people talking
    #: (../shared/data/real-speech; bench/bench_real_speech_identify.py), 8 pass the gate (real speech
    #: glides less than espeak-ng's 0.49-0.70) and 2 came out as a confident wrong ``match``.
    sure_max_glide_fraction: float = 0.349
    sure_min_steady_fraction: float = 0.277
    #: Heard too little pitch (noise drowns it: 17% of heavily degraded val melodies were refused, most
    #: with 0.3-1.9 s voiced)? Listen again after spectral noise-floor subtraction
    #: (:func:`~music_models.library.denoise.subtract_noise_floor` at this percentile and over-subtraction)
    #: and let that decide. Chosen on val melodies, espeak-ng and real speech (bench/gate_refusals.py).
    denoise_retry: bool = True
    denoise_percentile: float = 30.0
    denoise_over_subtraction: float = 1.5
    steady_tolerance_semitones: float = 0.5
    steady_min_frames: int = 4  # 160 ms at 40 ms hops

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MelodyGateConfig:
        kw = dict(d)
        if "glide_band_semitones" in kw:
            lo, hi = kw["glide_band_semitones"]
            kw["glide_band_semitones"] = (float(lo), float(hi))
        return cls(**kw)


@dataclass(frozen=True)
class MelodyMatchConfig:
    """The melody re-rank: the model's best ``candidates`` songs, re-scored by how well the query's pitch
    contour aligns with each song's symbolic melody (key-normalised subsequence DTW, as in the classic
    baseline). Fused score = model score - ``weight`` * min(DTW cost, ``cost_clip_semitones``).

    The query's pitch is the melody gate's (no second pitch tracker): 40 ms frames, so the filters are
    half as many frames as the baseline's 20 ms ones. Songs without a stored melody (plain audio files)
    get the median cost of the candidates that have one, so the model alone orders them.

    Chosen on the 120 val-split calibration queries of the eval (never the test queries) by
    ``bench/fusion_sweep.py`` (``bench/results/fusion_sweep.json``): clip 1.0 and weight 0.15 at 30
    candidates (val MRR 0.675 -> 0.764). On val, 20, 30 and 50 candidates tie (0.764) and 10 is worse
    (0.739); 30 was picked after the sweep's test column had been seen. 100 candidates scored 0.772 on
    val but its alignments take ~150 ms, the whole identify budget. 5 shifts instead of 9 save ~15 ms
    and cost ~0.01 MRR (``fusion_sweep_30_s5.json``).
    ``weight`` 0 turns the re-rank off.
    """

    weight: float = 0.15
    candidates: int = 30
    cost_clip_semitones: float = 1.0
    contour_rate_hz: float = 10.0  # the baseline's contour rate (symbolic melodies are stored at it)
    median_filter_frames: int = 3  # 120 ms of voiced 40 ms frames: octave blips
    outlier_window_frames: int = 25  # ~1 s: the running median outliers are judged by
    outlier_semitones: float = 9.0
    min_contour_frames: int = 20  # under 2 s of voiced melody: no re-rank
    shifts_semitones: tuple[float, ...] = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)
    workers: int = 2  # threads for the alignments (a smart speaker has 2-4 cores; identify runs alone)
    #: The model alone is sure when its rank 1 leads rank 2 by this much (the model-only calibration of
    #: session 5 put 0.9 confidence there): no alignment then, which keeps identify's p50 in budget.
    #: bench/fusion_sweep.py --full ("skip_when_the_model_leads_by"): the smallest margin that leaves val
    #: MRR unchanged (0.789; 0.03 loses 0.008); it skips 45 of 120 val queries.
    skip_margin: float = 0.045
    #: When the answer would be "unsure": align the contour with every song's melody as well, join its
    #: best ``wide_candidates`` to the model's candidates and re-score them all the same way (the answer
    #: stays "unsure"). bench/fusion_sweep.py --full (fusion_sweep_full.json, "cascade"): with the gate's
    #: pitch, MRR on val goes 0.764 -> 0.789 at weight 0.15; it runs on about 1 query in 4 and costs
    #: those a few hundred ms.
    widen_when_unsure: bool = True
    #: Optionally a "match" also needs the melody to fit: when the re-ranked answer's melody cost (mean
    #: clipped semitone error of its alignment with the query's contour) is above this, the answer is
    #: "unsure" (and so widened). Off (inf): on 300 val hums 0.6 lifted top-10 0.957 -> 0.967
    #: (bench/widen_cost_sweep.py, time_scales/widen_cost_sweep.json), but on 470 test queries it moved
    #: no right song into the top 10, lost one rank-1 hum, and turned 10 right matches into "unsure"
    #: (qbh_eval*_fit.json against the same session's runs without it).
    widen_above_cost_semitones: float = float("inf")
    #: A "match" less sure than this gets the widened search as well, as a second opinion: the match
    #: keeps first place and the widened search's other songs fill the places below it; it stays a
    #: "match" only when the widened search puts the same song first. At or below
    #: ``LibraryConfig.match_confidence`` only unsure answers are widened: the default. On 300 val hums
    #: (bench/widen_confidence_sweep.py, time_scales/widen_confidence_sweep.json) 0.8 lifted top-10
    #: 0.957 -> 0.963 with the same right matches, widening 23% of queries instead of 14%; on 470 test
    #: queries (bench/results/widen_below/, against the shipped code's runs on the same machine) it moved
    #: no song into the top 10, turned 2 right matches "unsure", and raised p90 by ~70-280 ms. Kept as
    #: an option.
    widen_below_confidence: float = 0.5
    wide_candidates: int = 30
    #: The widened search's pitch: "pyin", the DTW baseline's own track (0.25 semitone, 20 ms; ~350 ms,
    #: spent only on unsure answers), or "gate", the melody gate's cheap one the first search used.
    #: bench/fusion_sweep.py --full without --gate-only (fusion_sweep_fine.json, "cascade_fine"): val MRR
    #: 0.789 -> 0.805 with pyin, its best weight for the widened search 0.2 (``wide_weight``).
    wide_pitch_track: str = "pyin"
    wide_weight: float = 0.2
    #: pYIN searches only the first contour's range widened by this much (0: the baseline's 60-3300 Hz):
    #: fusion_sweep_fine.json, "cascade_ranged" vs "cascade_fine": val MRR 0.8056 vs 0.8054, the pitch
    #: track 156 vs 578 ms (medians, both cores busy with other work). Chosen on val; on test it lost
    #: one heavily degraded hum (MRR 0.771 vs 0.776).
    wide_pitch_margin_semitones: float = 7.0

    def validate(self) -> None:
        if (self.weight < 0 or self.candidates < 1 or self.cost_clip_semitones <= 0 or not self.shifts_semitones
                or self.workers < 1 or self.wide_candidates < 1 or self.wide_weight < 0
                or self.wide_pitch_margin_semitones < 0 or not self.widen_above_cost_semitones > 0
                or not 0.0 <= self.widen_below_confidence <= 1.0
                or self.wide_pitch_track not in WIDE_PITCH_TRACKS):
            raise ConfigError("melody_match needs weight >= 0, candidates >= 1, cost_clip_semitones > 0, "
                              "at least one shift, workers >= 1, wide_candidates >= 1, wide_weight >= 0, "
                              "wide_pitch_margin_semitones >= 0, widen_above_cost_semitones > 0, "
                              "widen_below_confidence in [0, 1] and "
                              f"wide_pitch_track one of {', '.join(WIDE_PITCH_TRACKS)}")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["shifts_semitones"] = list(self.shifts_semitones)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MelodyMatchConfig:
        kw = dict(d)
        if "shifts_semitones" in kw:
            kw["shifts_semitones"] = tuple(float(x) for x in kw["shifts_semitones"])
        return cls(**kw)


@dataclass(frozen=True)
class Calibration:
    """Confidence = logistic(margin_weight * margin + score_weight * score + bias).

    ``margin`` is a song's score minus the best other song's score (positive only for rank 1);
    ``score`` is its own score. The defaults are a hand-set prior; :func:`music_models.library.calibrate`
    fits them on validation queries and writes them to ``LibraryConfig.calibration_file``.
    """

    # Fitted by `humdinger eval qbh` on 120 answered validation-split queries against the 3,000-song eval
    # library with the shipped checkpoint, the three query tempos, the melody re-rank and its skip rule,
    # before widening (bench/results/qbh_eval_ts.json, "calibration"; margin only, see calibrate()):
    # confidence 0.5 at a margin of 0.023. On that run's 200 test queries, 149 "match" verdicts were 139
    # right. A library's own calibration_file replaces these.
    margin_weight: float = 66.69
    score_weight: float = 0.0
    bias: float = -1.56
    fitted_on: int = 120  # number of queries the fit used

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class LibraryConfig:
    """Every default of :class:`music_models.library.Library`.

    ``path`` empty means ``data_dir()/qdrant``; ``url`` empty means ``$QDRANT_URL`` (and
    ``$QDRANT_API_KEY``) if set, else the embedded local store at ``path``. ``name`` is the library,
    i.e. the prefix of its two Qdrant collections. ``checkpoint`` empty means the shipped model.
    """

    name: str = "humdinger"
    path: str = ""
    url: str = ""
    api_key: str = ""
    checkpoint: str = ""
    audio_dir: str = ""  # rendered / converted audio kept for playback; empty = data_dir()/library/audio
    calibration_file: str = ""  # empty = data_dir()/library/calibration.json (used when present)
    #: "memory": every segment in one numpy matrix, exact per-song nearest-window costs (a few ms at
    #: 3k songs, ~40 MB per 75k segments); "qdrant": Qdrant's summary collection picks the candidates
    #: (for libraries too large to hold in memory, or a shared server).
    candidate_search: str = "memory"
    rerank_songs: int = 100  # memory search: songs re-ranked by temporal alignment
    summaries_per_song: int = 3  # k-means centroids of a song's windows in the candidate collection
    candidates_per_window: int = 200  # qdrant search: summary hits per query window
    max_candidates: int = 400  # qdrant search: songs re-ranked at segment level
    tempo_ratios: tuple[float, ...] = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4)  # recording s per query s
    #: the query is also embedded played this much faster (> 1) or slower (< 1), and each song keeps its
    #: best score: the encoder saw tempo changes of 0.8-1.25x in training, people hum at 0.7-1.4x, and
    #: slow hums were the ones lost (bench/results/time_scales/: 300 moderate hums of val tunes, top-10
    #: 0.927 at (1.0,), 0.950 at (1.0, 1.15), 0.960 at these). It costs identify time: p50 121 -> 180 ms
    #: with the embedding beside the gate (bench/results/time_scales/latency.json).
    query_time_scales: tuple[float, ...] = (0.8, 1.0, 1.3)
    embed_beside_gate: bool = True  # embed the query on a second thread while the melody gate listens
    aggregation: str = "temporal"  # or "vote": single-window voting, for comparison
    match_confidence: float = 0.5  # below it the verdict is "unsure"
    top_k: int = 5
    max_duration_s: float = 3600.0  # longer files are refused
    embed_chunk_s: float = 120.0  # long recordings are embedded in chunks of this length
    upsert_batch: int = 256
    melody: MelodyGateConfig = field(default_factory=MelodyGateConfig)
    melody_match: MelodyMatchConfig = field(default_factory=MelodyMatchConfig)
    #: how the melody of a song indexed from an audio file is estimated (its notes are unknown)
    audio_melody: AudioMelodyConfig = field(default_factory=AudioMelodyConfig)
    calibration: Calibration = field(default_factory=Calibration)

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the bad setting."""
        if not self.name or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"library name {self.name!r} must be letters, digits, '-' or '_'")
        if self.candidate_search not in ("memory", "qdrant"):
            raise ConfigError(f"candidate_search must be 'memory' or 'qdrant', got {self.candidate_search!r}")
        if self.rerank_songs < 1:
            raise ConfigError(f"rerank_songs must be >= 1, got {self.rerank_songs}")
        if self.aggregation not in ("temporal", "vote"):
            raise ConfigError(f"aggregation must be 'temporal' or 'vote', got {self.aggregation!r}")
        if min(self.summaries_per_song, self.candidates_per_window, self.max_candidates, self.top_k) < 1:
            raise ConfigError("summaries_per_song, candidates_per_window, max_candidates and top_k must be >= 1")
        if not self.tempo_ratios or min(self.tempo_ratios) <= 0:
            raise ConfigError(f"tempo_ratios must be positive, got {self.tempo_ratios}")
        if not self.query_time_scales or not all(0.25 <= f <= 4.0 for f in self.query_time_scales):
            raise ConfigError(f"query_time_scales must be factors between 0.25 and 4, got {self.query_time_scales}")
        if not 0.0 <= self.match_confidence <= 1.0:
            raise ConfigError(f"match_confidence must lie in [0, 1], got {self.match_confidence}")
        if self.max_duration_s <= 0 or self.embed_chunk_s < 10:
            raise ConfigError("max_duration_s must be > 0 and embed_chunk_s >= 10")
        self.melody_match.validate()
        self.audio_melody.validate()

    def storage_path(self) -> Path:
        from music_models.paths import data_dir

        return Path(self.path).expanduser() if self.path else data_dir() / "qdrant"

    def segment_cache_path(self) -> Path:
        """The in-memory search's matrix, cached beside the store (keyed by the songs it holds)."""
        from music_models.paths import data_dir

        base = self.storage_path() if not self.server_url() else data_dir() / "library"
        return base.parent / f"{base.name}-{self.name}-segments.npz"

    def server_url(self) -> str:
        return self.url or os.environ.get("QDRANT_URL", "")

    def server_api_key(self) -> str:
        return self.api_key or os.environ.get("QDRANT_API_KEY", "")

    def audio_path(self) -> Path:
        from music_models.paths import data_dir

        return Path(self.audio_dir).expanduser() if self.audio_dir else data_dir() / "library" / "audio"

    def melodies_path(self) -> Path:
        """Songs' symbolic melody contours (one ``.npy`` per song), beside the audio folder."""
        return self.audio_path().parent / "melodies"

    def calibration_path(self) -> Path:
        from music_models.paths import data_dir

        return Path(self.calibration_file).expanduser() if self.calibration_file else (
            data_dir() / "library" / "calibration.json")

    def replace(self, **changes: Any) -> LibraryConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["tempo_ratios"] = list(self.tempo_ratios)
        d["query_time_scales"] = list(self.query_time_scales)
        d["melody_match"] = self.melody_match.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LibraryConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown library setting(s) {unknown}; known: {sorted(known)}")
        kw = dict(d)
        for key in ("tempo_ratios", "query_time_scales"):
            if key in kw:
                kw[key] = tuple(float(x) for x in kw[key])
        if isinstance(kw.get("melody"), dict):
            kw["melody"] = MelodyGateConfig.from_dict(kw["melody"])
        if isinstance(kw.get("melody_match"), dict):
            kw["melody_match"] = MelodyMatchConfig.from_dict(kw["melody_match"])
        if isinstance(kw.get("audio_melody"), dict):
            kw["audio_melody"] = AudioMelodyConfig.from_dict(kw["audio_melody"])
        if isinstance(kw.get("calibration"), dict):
            kw["calibration"] = Calibration.from_dict(kw["calibration"])
        return cls(**kw)


@dataclass(frozen=True)
class LibraryBuildConfig:
    """Defaults of ``humdinger library build`` (the demo library) and ``humdinger index``.

    The demo library holds the test split, whose tunes the model never saw in training, so a hum
    of any of them is a fair demonstration.
    """

    split: str = "test"
    limit: int = 300  # tunes, spread evenly over the split; 0 = all
    collections: tuple[str, ...] = ()  # empty = every collection
    seed: int = 0  # base seed of the arrangements (each tune's seed derives from it and its id)
    user_collection: str = "user"  # payload collection of files added with ``humdinger index``

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["collections"] = list(self.collections)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LibraryBuildConfig:
        kw = dict(d)
        if "collections" in kw:
            kw["collections"] = tuple(kw["collections"])
        return cls(**kw)
