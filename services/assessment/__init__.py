"""assessment: per-department scores projected from every service's events; accountability actions."""
