"""Hand-written sources of the held-out set (heldout.jsonl); never used to tune the grader."""
