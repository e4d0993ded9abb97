"""Encoders, matcher, classifiers, training, evaluation and the model registry."""
