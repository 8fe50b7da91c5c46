"""interpretation: policy interpretations (政策解读) in step with their policies; heads' yearly quota."""
