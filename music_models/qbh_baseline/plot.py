"""A picture of one baseline match: the query's pYIN pitch track over the matched tune's melody.

Top: the pYIN track against query time, moved by the match's transposition. Bottom: the tune's notes
(a piano roll at its notated tempo) around the matched span, with the query's contour placed where
DTW aligned it, so a reader sees both what pYIN heard and why this tune won.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from music_models.qbh_baseline.config import QbhBaselineConfig
from music_models.qbh_baseline.contour import PitchTrack, melody_contour, query_contour
from music_models.qbh_baseline.index import QbhMatch
from music_models.types import Tune

__all__ = ["alignment_path", "plot_match"]


def alignment_path(*, query: np.ndarray, reference: np.ndarray, clip: float) -> np.ndarray:
    """Subsequence-DTW path (query frame, reference frame) pairs, in order, of a query against one contour."""
    import librosa

    cost = np.minimum(np.abs(query[:, None] - reference[None, :]), clip)
    _, wp = librosa.sequence.dtw(C=cost, subseq=True, step_sizes_sigma=np.array([[1, 1], [1, 2], [2, 1]]))
    return np.asarray(wp[::-1], dtype=np.int64)


def plot_match(
    *, tune: Tune, track: PitchTrack, match: QbhMatch, path: Path, config: QbhBaselineConfig | None = None,
    title: str = "",
) -> Path:
    """Save the figure to ``path`` (PNG); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = config or QbhBaselineConfig()
    shift = match.transposition_semitones
    q = query_contour(track=track, contour_rate_hz=c.contour_rate_hz, median_filter_frames=c.median_filter_frames,
                      outlier_window_frames=c.outlier_window_frames, outlier_semitones=c.outlier_semitones) + shift
    ref = melody_contour(notes=tune.notes, tempo_qpm=tune.tempo_qpm, contour_rate_hz=c.contour_rate_hz,
                         render_rate_hz=c.melody_render_rate_hz)
    wp = alignment_path(query=q, reference=ref, clip=c.cost_clip_semitones)
    t0_s = tune.notes[0].onset_beats * 60.0 / tune.tempo_qpm  # contours start at the first note
    ref_t = t0_s + (wp[:, 1] + 0.5) / c.contour_rate_hz
    lo_s, hi_s = float(ref_t.min()) - 1.5, float(ref_t.max()) + 1.5

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6.2), constrained_layout=True)
    ax1.plot(track.times_s, track.midi + shift, ".", ms=2.5, color="tab:blue", label="pYIN (voiced frames)")
    ax1.set(xlabel="query time (s)", ylabel="MIDI pitch",
            title=f"query pitch track, transposed {shift:+.1f} semitones onto the tune")
    ax1.legend(loc="upper right", fontsize=8)
    spb = 60.0 / tune.tempo_qpm
    for n in tune.notes:
        s, e = n.onset_beats * spb, n.end_beats * spb
        if e >= lo_s and s <= hi_s:
            ax2.add_patch(plt.Rectangle((s, n.pitch - 0.4), e - s, 0.8, color="0.75", lw=0))
    ax2.plot(ref_t, q[wp[:, 0]], "-", color="tab:blue", lw=1.2, label="query contour, DTW-aligned")
    ax2.set_xlim(lo_s, hi_s)
    ax2.set(xlabel=f"tune time at its notated {tune.tempo_qpm:.0f} qpm (s)", ylabel="MIDI pitch",
            title=f"rank {match.rank}: {tune.title} ({tune.collection}) — mean error {match.cost:.2f} semitones")
    ax2.plot([], [], "s", color="0.75", label="tune melody (notes)")
    ax2.legend(loc="upper right", fontsize=8)
    pitches = [n.pitch for n in tune.notes]
    ax2.set_ylim(min(pitches) - 2, max(pitches) + 2)
    if title:
        fig.suptitle(title, fontsize=10)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
