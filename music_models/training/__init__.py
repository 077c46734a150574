"""Training the music space: the feature bank (rendered recordings and synthetic queries), batches, the loop."""
