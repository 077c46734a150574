"""FluidSynth renderer with the real FluidR3 GM soundfont: format, loudness, trimming, harmony, errors."""

from __future__ import annotations

import numpy as np
import pytest

from music_models.arrange import ArrangementConfig, arrange
from music_models.errors import RenderError
from music_models.paths import soundfont_path
from music_models.render import FluidSynthRenderer, RenderConfig, active_rms_dbfs
from music_models.types import CHORD_QUALITIES, Chord, Key, Meter, Note, Tune

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(soundfont_path() is None, reason="needs fluid-soundfont-gm (apt-get install fluid-soundfont-gm)"),
]

SR = 16_000
COMMON_TIME = Meter(4, 4)
PROGRESSION = [(0, "maj"), (9, "min"), (5, "maj"), (7, "maj"), (2, "min"), (4, "min"), (7, "maj"), (0, "maj")]


@pytest.fixture(scope="module")
def renderer() -> FluidSynthRenderer:
    with FluidSynthRenderer() as r:
        yield r


def chord_tune(meter: Meter = COMMON_TIME) -> Tune:
    """A melody of chord tones over a known progression, one chord per bar."""
    bar = meter.bar_beats
    notes, chords = [], []
    for i, (root, quality) in enumerate(PROGRESSION):
        chords.append(Chord(root, quality, i * bar, bar))
        tones = [60 + (root + iv) % 12 for iv in CHORD_QUALITIES[quality]]
        t = 0.0
        k = 0
        while t < bar - 1e-9:
            d = min(1.0, bar - t)
            notes.append(Note(tones[k % len(tones)], i * bar + t, d))
            t += d
            k += 1
    return Tune("chordy", "Chordy", "tests", meter, Key(0), 100.0, tuple(notes), tuple(chords))


def midi_of(notes: list[tuple[int, float, float]], *, program: int = 73, bend: int | None = None):  # type: ignore[no-untyped-def]
    import pretty_midi

    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=program)
    inst.notes = [pretty_midi.Note(velocity=100, pitch=p, start=s, end=e) for p, s, e in notes]
    if bend is not None:
        inst.pitch_bends.append(pretty_midi.PitchBend(bend, 0.0))
    pm.instruments.append(inst)
    return pm


def test_audio_is_16k_mono_float_normalised_and_trimmed(renderer: FluidSynthRenderer) -> None:
    arr = arrange(chord_tune(), seed=3)
    audio = renderer.render_arrangement(arr)
    x = audio.samples
    assert audio.sample_rate_hz == SR and x.ndim == 1 and x.dtype == np.float32
    cfg = renderer.config
    assert abs(active_rms_dbfs(samples=x, sample_rate_hz=SR) - cfg.target_rms_dbfs) < 0.5
    assert np.max(np.abs(x)) <= 10 ** (cfg.peak_ceiling_dbfs / 20) + 1e-6
    last_off = max(n.end_s for t in arr.tracks for n in t.notes)
    assert last_off + cfg.release_s - 0.01 <= audio.duration_s <= last_off + cfg.release_s + 0.01
    assert abs(x[-1]) < 1e-3  # faded out, no click
    tail = x[-int(0.05 * SR):]
    assert np.sqrt(np.mean(tail ** 2)) < 0.1 * np.sqrt(np.mean(x ** 2))


def _triad_templates() -> dict[tuple[int, str], np.ndarray]:
    out = {}
    for root in range(12):
        for quality in ("maj", "min"):
            v = np.zeros(12)
            v[[(root + i) % 12 for i in CHORD_QUALITIES[quality]]] = 1.0
            out[(root, quality)] = v / np.linalg.norm(v)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chroma_of_each_chord_span_matches_its_chord(renderer: FluidSynthRenderer, seed: int) -> None:
    import librosa

    cfg = ArrangementConfig(drums_probability=0.0, chords_probability=1.0, bass_probability=1.0)
    arr = arrange(chord_tune(), seed=seed, config=cfg)
    x = renderer.render_arrangement(arr).samples
    hop = 256
    chroma = librosa.feature.chroma_cqt(y=x, sr=SR, hop_length=hop)
    templates = _triad_templates()
    for c in arr.chords:
        a, b = (int(arr.beat_to_s(t) * SR / hop) for t in (c.onset_beats + 0.1, c.end_beats - 0.1))
        profile = chroma[:, a:b].mean(axis=1)
        profile = profile / np.linalg.norm(profile)
        scores = {k: float(v @ profile) for k, v in templates.items()}
        best = max(scores, key=scores.__getitem__)
        assert best == (c.root_pc, c.quality), f"{c.name}: chroma {np.round(profile, 2)} looks like {best}"


def test_melody_alone_on_a_gm_instrument_with_pitch_bend(renderer: FluidSynthRenderer) -> None:
    def f0(x: np.ndarray) -> float:
        seg = x[int(0.2 * SR):int(0.8 * SR)] * np.hanning(int(0.6 * SR))
        spec = np.abs(np.fft.rfft(seg, n=1 << 16))
        return float(np.fft.rfftfreq(1 << 16, 1 / SR)[np.argmax(spec)])

    plain = renderer.render(midi_of([(69, 0.0, 1.0)]))
    bent = renderer.render(midi_of([(69, 0.0, 1.0)], bend=4096))  # +1 semitone with the GM ±2 range
    assert abs(f0(plain) - 440.0) < 4.0
    assert abs(f0(bent) - 440.0 * 2 ** (1 / 12)) < 4.0


def test_renders_do_not_leak_into_each_other_and_repeat_without_reverb() -> None:
    with FluidSynthRenderer(RenderConfig(reverb=False)) as r:
        loud = midi_of([(p, 0.0, 2.0) for p in (48, 55, 60, 64, 67)], program=48)
        quiet = midi_of([(72, 0.5, 1.0)], program=0)
        first = r.render(quiet)  # the very first render of a fresh synth
        r.render(loud)
        second = r.render(quiet)
    assert np.max(np.abs(first - second)) < 1e-5  # the same up to float rounding
    assert np.max(np.abs(second[: int(0.45 * SR)])) < 1e-4  # silence before the note: nothing carried over


def test_missing_soundfont_and_bad_midi_give_render_errors(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RenderError, match="apt-get install fluidsynth fluid-soundfont-gm"):
        FluidSynthRenderer(RenderConfig(soundfont=str(tmp_path / "missing.sf2")))
    monkeypatch.setenv("HUMDINGER_SOUNDFONT", str(tmp_path / "also-missing.sf2"))
    with pytest.raises(RenderError, match="no General MIDI soundfont"):
        FluidSynthRenderer()
    not_sf2 = tmp_path / "junk.sf2"
    not_sf2.write_bytes(b"RIFF junk")
    with pytest.raises(RenderError, match="could not load"):
        FluidSynthRenderer(RenderConfig(soundfont=str(not_sf2)))


def test_bad_midi_and_closed_renderer(renderer: FluidSynthRenderer) -> None:
    import pretty_midi

    with pytest.raises(RenderError, match="no notes"):
        renderer.render(pretty_midi.PrettyMIDI())
    with pytest.raises(RenderError, match="finite"):
        renderer.render(midi_of([(60, float("nan"), 1.0)]))
    with pytest.raises(RenderError, match="max_duration_s"):
        renderer.render(midi_of([(60, 5000.0, 5001.0)]))
    r = FluidSynthRenderer(RenderConfig(reverb=False))
    r.close()
    r.close()
    with pytest.raises(RenderError, match="closed"):
        r.render(midi_of([(60, 0.0, 1.0)]))
