"""Answer-quality measurement: realistic student questions asked of the running bot."""
