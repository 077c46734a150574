"""Music representation, data pipeline, rendering, features, the music-space model and the library.

Nothing here imports the assistant; heavy libraries (torch, librosa, music21) are imported inside
the functions that need them.
"""
