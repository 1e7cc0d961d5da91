"""Hand-off: a resident's unanswered question sent to the local digital-technology team, and the team's reply."""
