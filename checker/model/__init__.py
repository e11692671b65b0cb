"""Data only: the policy, the snapshot, findings and the versioned report, as models."""
