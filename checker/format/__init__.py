"""Reports for people and machines: one module per format.

`registry` lists the formats; `escape` makes text from AWS safe to show.
"""
