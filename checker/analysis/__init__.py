"""What every rule reads: the facts the engine derives from one snapshot and policy."""
