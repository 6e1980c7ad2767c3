"""Chinese script handling: detection, Simplified -> Taiwan Traditional conversion, folding."""
