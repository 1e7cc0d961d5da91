"""The help desk for a team at a desk: a log of what residents were helped with, and flags of wrong answers."""
