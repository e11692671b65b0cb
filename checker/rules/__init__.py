"""The rules: `catalogue` (what each rule is, as data), `registry` (every rule, in ID order), one
module per rule, `base` (how a rule builds its findings) and `waivers`."""
