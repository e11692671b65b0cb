"""AWS's semantics, pure: ARNs, the flow language, IAM evaluation, schedule math."""
