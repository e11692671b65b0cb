"""Reading what users and AWS hand warmcheck: bounded JSON, YAML with line numbers."""
