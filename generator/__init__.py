"""Sequence model over latent embeddings (RNN), composition and accompaniment, arrangement to MIDI/audio."""
