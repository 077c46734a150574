"""The music-space model's parts: shapes, losses, targets, batches, training loop, checkpoints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from music_models.errors import ModelError
from music_models.space.checkpoint import load_model, save_checkpoint
from music_models.space.config import EncoderConfig, MusicSpaceConfig
from music_models.space.encoder import Encoder
from music_models.space.losses import info_nce, sq_dists
from music_models.space.metrics import gaussianity, mrr, top_k
from music_models.space.model import MusicSpaceModel
from music_models.space.targets import NO_CHORD, REST, window_targets
from music_models.training.bank import BankItem, FeatureBank
from music_models.training.batches import BatchConfig, BatchSampler, shift_pitch, stretch
from music_models.training.trainer import Trainer, TrainerConfig
from music_models.types import Chord, Key, Meter, Note, Tune


def _tune(i: int, rng: np.random.Generator) -> Tune:
    notes = tuple(Note(60 + int(rng.integers(0, 12)), b * 0.5, 0.5) for b in range(64))
    return Tune(f"t{i}", f"T{i}", f"c{i % 2}", Meter(4, 4), Key(0), 120.0, notes,
                (Chord(0, "maj", 0, 16), Chord(7, "maj", 16, 16)), estimated_key=Key(0))


def _bank(n_tunes: int = 6, frames: int = 300) -> tuple[FeatureBank, dict[str, Tune]]:
    rng = np.random.default_rng(0)
    bank, tunes = FeatureBank(), {}
    for i in range(n_tunes):
        t = _tune(i, rng)
        tunes[t.tune_id] = t
        for role in ("recording", "query"):
            feats = rng.standard_normal((144, frames)).astype(np.float16)
            bank.add(BankItem(t.tune_id, role, "test", feats, np.linspace(0, 32, frames).astype(np.float32)))
    return bank, tunes


def test_encoder_shapes_and_clip_path() -> None:
    torch.manual_seed(0)
    enc = Encoder(EncoderConfig()).eval()
    x = torch.randn(3, 144, 100)
    assert enc(x).shape == (3, 128)
    clip = torch.randn(144, 250)
    z = enc.embed_clip(clip, [0, 40, 148], 100)
    assert z.shape == (3, 128) and torch.isfinite(z).all()
    # the shared-trunk path agrees with embedding the window alone away from the window edges' padding
    alone = enc(clip[:, 40:140].unsqueeze(0))[0]
    assert torch.nn.functional.cosine_similarity(z[1], alone, dim=0) > 0.9


def test_info_nce_prefers_the_positive() -> None:
    q = torch.tensor([[0.0, 0.0], [5.0, 5.0]])
    good = torch.tensor([[0.1, 0.0], [5.0, 4.9]])
    bad = good.flip(0)
    pos = torch.eye(2, dtype=torch.bool)
    assert info_nce(q, good, positives=pos, temperature=0.1, scale=2) < info_nce(q, bad, positives=pos, temperature=0.1, scale=2)
    assert torch.allclose(sq_dists(q, good), torch.cdist(q, good) ** 2, atol=1e-4)


def test_window_targets_relative_to_tonic() -> None:
    tune = Tune("x", "x", "c", Meter(4, 4), Key(7), 120.0,
                (Note(67, 0, 1), Note(71, 1, 1), Note(74, 3, 1)), (Chord(7, "maj", 0, 2), Chord(1, "maj", 2, 2)),
                estimated_key=Key(7))
    from music_models.space.config import DecoderTargetConfig

    t = window_targets(tune, start_beat=0, end_beat=4, config=DecoderTargetConfig(steps=8, chord_steps=4))
    assert t["pitch"].tolist() == [0, 0, 4, 4, REST, REST, 7, 7]
    assert t["onset"].tolist() == [1, 0, 1, 0, 0, 0, 1, 0]
    assert t["chord"].tolist() == [0, 0, NO_CHORD, NO_CHORD]


def test_feature_augmentations() -> None:
    f = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert shift_pitch(f, bins=1)[1:].tolist() == f[:-1].tolist()
    assert stretch(f, factor=2.0).shape == (4, 6)


def test_batch_sampler_builds_aligned_pairs() -> None:
    bank, tunes = _bank()
    s = BatchSampler(bank, tunes, model_config=MusicSpaceConfig(), config=BatchConfig(tunes_per_batch=4), seed=1)
    b = s.sample()
    n = b["query"].shape[0]
    assert b["key"].shape == b["query"].shape == b["other"].shape == (n, 144, 100)
    assert b["positives"].diagonal().all()
    assert b["targets"]["pitch"].shape == (n, 32)


def test_training_steps_checkpoint_and_reload(tmp_path: Path) -> None:
    torch.manual_seed(0)
    bank, tunes = _bank()
    cfg = MusicSpaceConfig()
    model = MusicSpaceModel(cfg)
    sampler = BatchSampler(bank, tunes, model_config=cfg, config=BatchConfig(tunes_per_batch=4), seed=0)
    trainer = Trainer(model, lambda step: iter(sampler), config=TrainerConfig(steps=3, warmup_steps=1, validate_every=3),
                      checkpoint_path=tmp_path / "ck.pt", validate=lambda m: {"val_mrr": 0.5}, save=save_checkpoint)
    metrics = trainer.run()
    assert metrics["val_mrr"] == 0.5 and (tmp_path / "ck.pt").exists()
    assert trainer.run() == {"val_mrr": 0.5, "step": 3, "elapsed_s": 0.0}  # a finished run resumed: validated
    ship = tmp_path / "ship.pt"
    save_checkpoint(ship, model, step=3, metrics=metrics, inference_only=True)
    loaded, info, _ = load_model(ship)
    x = torch.randn(2, 144, 100)
    with torch.inference_mode():
        assert torch.allclose(loaded.encoder(x), model.eval().encoder(x), atol=0.05)
    assert info.step == 3 and len(info.sha256) == 64


def test_init_from_a_shipped_checkpoint_starts_a_fine_tune_from_its_weights(tmp_path: Path) -> None:
    from music_models.errors import ConfigError
    from music_models.training.run import init_weights

    torch.manual_seed(0)
    shipped_model = MusicSpaceModel(MusicSpaceConfig().replace_objectives(adversarial=False, adjacency=False))
    ship = tmp_path / "ship.pt"
    save_checkpoint(ship, shipped_model, step=7, metrics={}, inference_only=True)
    fine = MusicSpaceModel(MusicSpaceConfig())  # all four objectives: heads the shipped file lacks start fresh
    x = torch.randn(2, 144, 100)
    with torch.inference_mode():
        assert not torch.allclose(fine.eval().encoder(x), shipped_model.eval().encoder(x), atol=0.05)
    info = init_weights(fine, ship)
    with torch.inference_mode():
        assert torch.allclose(fine.eval().encoder(x), shipped_model.encoder(x), atol=0.05)
    assert info["step"] == 7 and len(info["sha256"]) == 64
    other = MusicSpaceModel(MusicSpaceConfig(encoder=EncoderConfig(embedding_dim=64)))
    with pytest.raises(ConfigError, match="encoder"):
        init_weights(other, ship)


def test_validation_reports_each_query_kind() -> None:
    from music_models.training.validation import validate

    bank, tunes = FeatureBank(), {}
    rng = np.random.default_rng(0)
    for i in range(6):
        t = _tune(i, rng)
        tunes[t.tune_id] = t
        rec = rng.standard_normal((144, 300)).astype(np.float16)
        beats = np.linspace(0, 32, 300).astype(np.float32)
        bank.add(BankItem(t.tune_id, "recording", "piano", rec, beats))
        # hums are the recording itself (found first); whistles are noise (found by chance at best)
        bank.add(BankItem(t.tune_id, "query", "hum", rec.copy(), beats))
        bank.add(BankItem(t.tune_id, "query", "whistle", rng.standard_normal((144, 300)).astype(np.float16), beats))
    torch.manual_seed(0)
    metrics = validate(MusicSpaceModel(MusicSpaceConfig()).eval(), bank, tunes, decoder_songs=0)
    assert metrics["val_queries"] == 12
    assert metrics["val_mrr_hum"] == 1.0 and metrics["val_top10_hum"] == 1.0
    assert metrics["val_mrr_whistle"] < 1.0
    assert metrics["val_mrr"] == pytest.approx((metrics["val_mrr_hum"] + metrics["val_mrr_whistle"]) / 2)


def test_corrupt_or_missing_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="humdinger train"):
        load_model(tmp_path / "none.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError):
        load_model(bad)


def test_metrics_on_known_values() -> None:
    assert mrr([1, 2, 0, 4]) == pytest.approx((1 + 0.5 + 0 + 0.25) / 4)
    assert top_k([1, 2, 11, 0], 10) == 0.5
    g = gaussianity(np.random.default_rng(0).standard_normal((500, 8)))
    assert g["ks_mean"] < 0.08 and abs(g["dim_std_avg"] - 1) < 0.1
    g_bad = gaussianity(np.random.default_rng(0).uniform(0, 1, (500, 8)))
    assert g_bad["mmd"] > 10 * abs(g["mmd"])


def test_stretch_keeps_pitch_and_interpolates_time() -> None:
    ramp = np.tile(np.arange(9, dtype=np.float32), (3, 1))  # every bin rises 1 per frame
    fast = stretch(ramp, factor=0.5)  # played twice as fast: half the frames, same pitch rows
    assert fast.shape == (3, 4) and np.allclose(fast[0], [0, 8 / 3, 16 / 3, 8])
    assert stretch(ramp, factor=1.0) is ramp
    with pytest.raises(ValueError, match="positive"):
        stretch(ramp, factor=0.0)


def test_cached_cqt_filter_banks_give_identical_features(monkeypatch: pytest.MonkeyPatch) -> None:
    from librosa.core import constantq

    from music_models.features import cqt_filters
    from music_models.features.spectrogram import FeatureConfig, log_spectrogram

    y = np.random.default_rng(0).standard_normal(16000 * 3).astype(np.float32) * 0.1
    assert cqt_filters.install_cqt_filter_cache()
    cached = constantq.__dict__["__vqt_filter_fft"]
    assert cqt_filters.install_cqt_filter_cache() and constantq.__dict__["__vqt_filter_fft"] is cached  # once
    with monkeypatch.context() as m:  # librosa's own function, designing the banks on every call
        m.setitem(constantq.__dict__, "__vqt_filter_fft", cached.__wrapped__)
        m.setattr(cqt_filters, "install_cqt_filter_cache", lambda: False)
        reference = log_spectrogram(y, config=FeatureConfig())
    assert constantq.__dict__["__vqt_filter_fft"] is cached
    first, again = (log_spectrogram(y, config=FeatureConfig()) for _ in range(2))
    assert np.array_equal(first, reference) and np.array_equal(again, reference)
