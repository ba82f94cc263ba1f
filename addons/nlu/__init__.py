"""The NLU components config.yml names: the sentence encoder (all-MiniLM-L6-v2 on NumPy), the
featurizer that adds its embedding, and the intent classifier. Changing them retrains the model."""
