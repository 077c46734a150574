"""The voice front-end and runtime: audio I/O at the edge, wake word, ASR, Rasa, router, TTS, CLI."""
