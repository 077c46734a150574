"""One long-lived FluidSynth synthesiser that renders many MIDI files to 16 kHz mono audio.

The soundfont is loaded once; each render resets the synth, lets the previous reverb tail die,
drives the note events itself in time order and pulls samples between them
(``pretty_midi.PrettyMIDI.fluidsynth()`` reloads the soundfont on every call, which is the slow path).

>>> with FluidSynthRenderer() as r:
...     samples = r.render(midi)                 # np.float32, mono, 16 kHz, loudness-normalised
...     audio = r.render_arrangement(arrangement)  # RenderedAudio(samples, sample_rate_hz)

A renderer is not thread-safe: use one per thread or process.
"""

from __future__ import annotations

import ctypes
import logging
import math
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from music_models.errors import RenderError
from music_models.render.audio import RenderedAudio, fade_out, normalise_loudness, to_mono
from music_models.render.config import RenderConfig
from music_models.render.events import ChannelSetup, SynthEvent, midi_events

if TYPE_CHECKING:
    import pretty_midi

    from music_models.arrange.types import Arrangement

__all__ = ["INSTALL_HINT", "FluidSynthRenderer"]

logger = logging.getLogger(__name__)

INSTALL_HINT = ("install FluidSynth and the General MIDI soundfont: 'sudo apt-get install fluidsynth "
                "fluid-soundfont-gm' (and 'pip install pyfluidsynth'), or point $HUMDINGER_SOUNDFONT at a .sf2 file")
_FLUSH_CHUNK_S = 0.1
_SILENCE = 1e-6
#: FluidSynth renders in blocks of 64 frames and applies events at block starts. Keeping every pull
#: and event on a block boundary makes renders repeatable (timing resolution: 2 ms at 32 kHz).
_BLOCK = 64


def _resolve_soundfont(cfg: RenderConfig) -> Path:
    from music_models.paths import soundfont_path

    path = Path(cfg.soundfont).expanduser() if cfg.soundfont else soundfont_path()
    if path is None:
        raise RenderError(f"no General MIDI soundfont found; {INSTALL_HINT}")
    if not path.is_file():
        raise RenderError(f"soundfont {str(path)!r} does not exist; {INSTALL_HINT}")
    return path


class FluidSynthRenderer:
    """Renders ``pretty_midi.PrettyMIDI`` (or an :class:`Arrangement`) with one persistent FluidSynth.

    Raises :class:`RenderError` at construction when libfluidsynth, pyfluidsynth or the soundfont is
    missing. Call :meth:`close` (or use it as a context manager) to free the synth.
    """

    def __init__(self, config: RenderConfig | None = None) -> None:
        self.config = config or RenderConfig()
        cfg = self.config
        if cfg.sample_rate_hz <= 0 or cfg.synth_sample_rate_hz < 8000:
            raise RenderError(f"sample rates must be positive and the synth's >= 8000 Hz; got {cfg.sample_rate_hz} "
                              f"and {cfg.synth_sample_rate_hz}")
        soundfont = _resolve_soundfont(cfg)
        try:
            import fluidsynth
        except (ImportError, OSError) as exc:  # pyfluidsynth raises ImportError when libfluidsynth is absent
            raise RenderError(f"FluidSynth is not available ({exc}); {INSTALL_HINT}") from exc
        self._synth: Any = fluidsynth.Synth(
            gain=cfg.gain, samplerate=float(cfg.synth_sample_rate_hz),
            **{"synth.polyphony": cfg.polyphony, "synth.reverb.active": int(cfg.reverb),
               "synth.chorus.active": int(cfg.chorus)})
        write = ctypes.CDLL(fluidsynth.lib).fluid_synth_write_float
        write.restype = ctypes.c_int
        write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                          ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        self._write = write
        self._sfid = int(self._synth.sfload(str(soundfont)))
        if self._sfid < 0:
            self._synth.delete()
            self._synth = None
            raise RenderError(f"FluidSynth could not load {str(soundfont)!r} as a SoundFont; {INSTALL_HINT}")
        self.soundfont = soundfont
        # A fresh synth renders its very first note slightly differently from every later one; one
        # throw-away note makes the first real render identical to a repeat of it.
        self._reset([ChannelSetup(0, 0, 0)])
        self._play([SynthEvent(0.0, "on", 0, 60, 1), SynthEvent(0.01, "off", 0, 60)], n_frames=_BLOCK * 8)
        logger.debug("FluidSynth ready at %d Hz with %s", cfg.synth_sample_rate_hz, soundfont)

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Free the synthesiser (idempotent)."""
        if self._synth is not None:
            self._synth.delete()
            self._synth = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, midi: pretty_midi.PrettyMIDI) -> np.ndarray:
        """Render MIDI to mono float32 at ``config.sample_rate_hz``.

        Notes, control changes (volume, pan, reverb, ...) and pitch bends are played on GM programs
        (drum instruments on channel 10). Time 0 of the MIDI is sample 0; the audio ends
        ``release_s`` after the last note-off with a short fade, and is normalised to
        ``target_rms_dbfs``. Raises :class:`RenderError` for MIDI without notes or with bad times.
        """
        if self._synth is None:
            raise RenderError("this renderer has been closed; create a new FluidSynthRenderer")
        cfg = self.config
        setups, events = midi_events(midi)
        end_s = max(e.time_s for e in events) + cfg.release_s
        if end_s > cfg.max_duration_s:
            raise RenderError(f"the MIDI lasts {end_s:.0f} s, longer than max_duration_s={cfg.max_duration_s:.0f} s; "
                              "cut it or raise RenderConfig.max_duration_s")
        self._reset(setups)
        stereo = self._play(events, n_frames=_BLOCK * math.ceil(end_s * cfg.synth_sample_rate_hz / _BLOCK))
        mono = to_mono(stereo=stereo)
        if cfg.synth_sample_rate_hz != cfg.sample_rate_hz:
            import soxr

            mono = soxr.resample(mono, cfg.synth_sample_rate_hz, cfg.sample_rate_hz, quality="HQ").astype(np.float32)
        mono = fade_out(samples=mono, fade_s=cfg.fade_s, sample_rate_hz=cfg.sample_rate_hz)
        return normalise_loudness(samples=mono, sample_rate_hz=cfg.sample_rate_hz,
                                  target_rms_dbfs=cfg.target_rms_dbfs, peak_ceiling_dbfs=cfg.peak_ceiling_dbfs,
                                  gate_db=cfg.gate_db)

    def render_arrangement(self, arrangement: Arrangement) -> RenderedAudio:
        """Render an :class:`~music_models.arrange.Arrangement` (via its MIDI)."""
        from music_models.arrange.midi import arrangement_to_midi

        return RenderedAudio(self.render(arrangement_to_midi(arrangement)), self.config.sample_rate_hz)

    # -- internals ---------------------------------------------------------------------------------
    def _pull(self, buf: np.ndarray, start: int, stop: int) -> None:
        """Synthesise frames ``[start, stop)`` into the interleaved stereo float32 ``buf``."""
        if stop <= start:
            return
        ptr = buf.ctypes.data
        if self._write(self._synth.synth, stop - start, ptr, 2 * start, 2, ptr, 2 * start + 1, 2) != 0:
            raise RenderError("FluidSynth failed to synthesise audio; see its log above")

    def _reset(self, setups: list[ChannelSetup]) -> None:
        """All notes and controllers off, released voices left to die, effects cleared, programs set."""
        synth = self._synth
        synth.system_reset()
        chunk = _BLOCK * max(int(_FLUSH_CHUNK_S * self.config.synth_sample_rate_hz) // _BLOCK, 1)
        scratch = np.zeros((chunk, 2), dtype=np.float32)
        for _ in range(int(self.config.flush_max_s / _FLUSH_CHUNK_S)):
            self._pull(scratch, 0, chunk)
            if float(np.max(np.abs(scratch))) < _SILENCE:
                break
        synth.system_reset()  # again, now that no voice feeds the effects (resets their buffers)
        for s in setups:
            if synth.program_select(s.channel, self._sfid, s.bank, s.program) != 0:
                logger.warning("soundfont has no bank %d program %d; channel %d falls back to program 0",
                               s.bank, s.program, s.channel + 1)
                synth.program_select(s.channel, self._sfid, s.bank, 0)

    def _play(self, events: list[SynthEvent], *, n_frames: int) -> np.ndarray:
        synth = self._synth
        sr = self.config.synth_sample_rate_hz
        buf = np.zeros((n_frames, 2), dtype=np.float32)
        pos = 0
        for e in events:
            at = min(_BLOCK * round(e.time_s * sr / _BLOCK), n_frames)
            if at > pos:
                self._pull(buf, pos, at)
                pos = at
            if e.kind == "on":
                synth.noteon(e.channel, e.a, e.b)
            elif e.kind == "off":
                synth.noteoff(e.channel, e.a)
            elif e.kind == "cc":
                synth.cc(e.channel, e.a, e.b)
            else:
                synth.pitch_bend(e.channel, e.a)
        self._pull(buf, pos, n_frames)
        return buf
