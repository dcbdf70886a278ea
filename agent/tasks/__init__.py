"""Tasks that Tree-of-Thoughts search can solve."""
